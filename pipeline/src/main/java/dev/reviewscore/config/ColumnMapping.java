package dev.reviewscore.config;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which source columns hold the review id, the text, the optional label, and which are copied to the output.
 *
 * @param id the review id column ({@code source.columns.id})
 * @param text the review text column ({@code source.columns.text})
 * @param label the label column, or null for an unlabeled source ({@code source.columns.label})
 * @param passThrough columns copied unchanged into the scored table ({@code source.columns.pass-through})
 */
public record ColumnMapping(String id, String text, String label, List<String> passThrough) implements Serializable {

    /** Checks that the mapped columns are named and distinct. */
    public ColumnMapping {
        ConfigCheck.require(id != null && !id.isBlank(), "source.columns.id", id, "name the review id column");
        ConfigCheck.require(text != null && !text.isBlank(), "source.columns.text", text, "name the review text column");
        passThrough = List.copyOf(passThrough);
        Set<String> seen = new HashSet<>(List.of(id.toLowerCase(java.util.Locale.ROOT)));
        ConfigCheck.require(seen.add(text.toLowerCase(java.util.Locale.ROOT)), "source.columns.text", text,
                "the text column must differ from the id column");
        if (label != null) {
            ConfigCheck.require(seen.add(label.toLowerCase(java.util.Locale.ROOT)), "source.columns.label", label,
                    "the label column must differ from the id and text columns");
        }
        for (String column : passThrough) {
            ConfigCheck.require(seen.add(column.toLowerCase(java.util.Locale.ROOT)), "source.columns.pass-through",
                    passThrough, "list each column once, and not the id, text or label column (" + column + ")");
        }
    }
}
