package dev.reviewscore.report;

import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.SliceEvaluation;
import java.util.Arrays;
import java.util.List;

/**
 * The headline block of a model card, as Hugging Face's Trainer writes it: Loss, Accuracy, F1, Precision, Recall
 * (per label, in label-index order) and Auc. Undefined values print as {@code null} with the reason.
 */
public final class ModelCardBlock {
    private ModelCardBlock() {}

    /** The block's six lines for one slice, each ending in a newline. */
    public static String render(SliceEvaluation slice) {
        if (slice.labeled() == 0) {
            return "- Loss: null (no labeled reviews)\n- Accuracy: null\n- F1: null\n- Precision: null\n"
                    + "- Recall: null\n- Auc: null\n";
        }
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
