package dev.reviewscore.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;

/** Number formatting for reports, matching the model card (which Python's Trainer printed). */
public final class Numbers {
    private Numbers() {}

    /**
     * The shortest decimal that reads back as the same double, as Python's {@code repr} prints it:
     * {@code 0.95}, {@code 0.946236559139785}, {@code 1.0}, {@code 1e-05}.
     */
    public static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = null;
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal candidate = new BigDecimal(value).round(new MathContext(digits));
            if (candidate.doubleValue() == value) {
                shortest = candidate;
                break;
            }
        }
        BigDecimal exact = shortest.stripTrailingZeros();
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = exact.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        String plain = exact.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /** A list of doubles as Python prints one: {@code [0.5, 0.25]}. */
    public static String reprList(List<Double> values) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(repr(values.get(i)));
        }
        return text.append(']').toString();
    }

    /** Four decimals, as the model card prints loss and AUC. */
    public static String fixed4(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
