package dev.reviewscore.report;

import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;
import java.util.Arrays;
import java.util.List;

/**
 * The headline block of a model card, as Hugging Face's Trainer writes it: Loss, Accuracy, F1, Precision, Recall
 * (per label, in label-index order) and Auc. Undefined values print as {@code null} with the reason. When the slice
 * has confidence intervals, one more line follows the six: each metric's interval, in the same order and shape.
 */
public final class ModelCardBlock {
    private ModelCardBlock() {}

    /** The block's six lines for one slice, then its intervals' line when it has intervals, each ending in a newline. */
    public static String render(SliceEvaluation slice) {
        if (slice.labeled() == 0) {
            return "- Loss: null (no labeled reviews)\n- Accuracy: null\n- F1: null\n- Precision: null\n"
                    + "- Recall: null\n- Auc: null\n";
        }
        return sixLines(slice) + intervalLine(slice);
    }

    /**
     * The intervals' line, for example {@code - 95% confidence intervals: Loss [0.2101, 0.2544], Accuracy [...],
     * F1 [[...], [...]], Precision [...], Recall [...], Auc [...]}; empty without intervals.
     */
    static String intervalLine(SliceEvaluation slice) {
        SliceIntervals intervals = slice.intervals();
        if (intervals.headline().isEmpty()) {
            return "";
        }
        int labels = slice.confusion().labels().size();
        return "- " + percent(intervals.level()) + " confidence intervals: Loss " + bounds(intervals.of(Metric.LOG_LOSS))
                + ", Accuracy " + bounds(intervals.of(Metric.ACCURACY))
                + ", F1 " + perLabel(intervals, Metric.F1, labels)
                + ", Precision " + perLabel(intervals, Metric.PRECISION, labels)
                + ", Recall " + perLabel(intervals, Metric.RECALL, labels)
                + ", Auc " + bounds(intervals.of(Metric.AUC)) + "\n";
    }

    /** A level as a percentage: 95%, 97.5%. */
    static String percent(double level) {
        return new java.math.BigDecimal(Double.toString(level * 100)).stripTrailingZeros().toPlainString() + "%";
    }

    /** An interval as {@code [lower, upper]} with four decimals, or {@code null}. */
    static String bounds(Interval interval) {
        return interval == null ? "null"
                : "[" + Numbers.fixed4(interval.lower()) + ", " + Numbers.fixed4(interval.upper()) + "]";
    }

    private static String perLabel(SliceIntervals intervals, Metric metric, int labels) {
        StringBuilder text = new StringBuilder("[");
        for (int k = 0; k < labels; k++) {
            text.append(k == 0 ? "" : ", ").append(bounds(intervals.of(metric, k)));
        }
        return text.append(']').toString();
    }

    private static String sixLines(SliceEvaluation slice) {
        return "- Loss: " + Numbers.fixed4(slice.logLoss()) + "\n"
                + "- Accuracy: " + Numbers.repr(slice.accuracy()) + "\n"
                + "- F1: " + list(ClassificationMetrics.f1(slice.confusion())) + "\n"
                + "- Precision: " + list(ClassificationMetrics.precision(slice.confusion())) + "\n"
                + "- Recall: " + list(ClassificationMetrics.recall(slice.confusion())) + "\n"
                + "- Auc: " + (slice.auc() == null ? "null (" + slice.aucNote() + ")" : Numbers.fixed4(slice.auc()))
                + "\n";
    }

    private static String list(double[] values) {
        List<Double> boxed = Arrays.stream(values).boxed().toList();
        return Numbers.reprList(boxed);
    }
}
