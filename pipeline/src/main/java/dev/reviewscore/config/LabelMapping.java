package dev.reviewscore.config;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How source label values become model labels.
 *
 * @param kind how to read the label column ({@code source.labels.kind})
 * @param positiveNames values meaning the positive label, case-insensitive ({@code source.labels.positive-names})
 * @param negativeNames values meaning the negative label, case-insensitive ({@code source.labels.negative-names})
 * @param starsPositiveMin lowest star rating that is positive ({@code source.labels.stars-positive-min})
 * @param starsNegativeMax highest star rating that is negative ({@code source.labels.stars-negative-max})
 */
public record LabelMapping(LabelKind kind, List<String> positiveNames, List<String> negativeNames,
                           double starsPositiveMin, double starsNegativeMax) implements Serializable {

    /** Checks that the name lists do not overlap and the star thresholds leave a gap or meet. */
    public LabelMapping {
        positiveNames = positiveNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        negativeNames = negativeNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        for (String name : positiveNames) {
            ConfigCheck.require(!negativeNames.contains(name), "source.labels.negative-names", negativeNames,
                    "a name cannot be both positive and negative (" + name + ")");
        }
        ConfigCheck.require(starsNegativeMax < starsPositiveMin, "source.labels.stars-negative-max", starsNegativeMax,
                "must be below source.labels.stars-positive-min (" + starsPositiveMin + ")");
    }

    /** The IMDB convention for star ratings and the usual names. */
    public static LabelMapping defaults() {
        return new LabelMapping(LabelKind.AUTO, List.of("positive", "pos", "1", "true"),
                List.of("negative", "neg", "0", "false"), 7, 4);
    }
}
