package dev.reviewscore.report;

import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.scoring.ScoringResult;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Markdown report of a run: the model-card headline block first, then details a reader checks next. */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** Renders the report. */
    public static String render(RunReport report) {
        Evaluation evaluation = report.evaluation();
        SliceEvaluation all = evaluation.overall();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(evaluation.modelName()).append(" (version ").append(evaluation.modelVersion())
                .append(")\n\n");
        md.append("Run `").append(report.runId()).append("`, evaluated at ").append(report.evaluatedAt())
                .append(" over ").append(report.scoredTable()).append(".\n\n");
        md.append("It achieves the following results on the ").append(all.labeled()).append(" labeled of ")
                .append(all.rows()).append(" scored reviews:\n");
        md.append(ModelCardBlock.render(all)).append('\n');
        List<String> labels = evaluation.labels();
        if (all.labeled() > 0) {
            md.append("Labels: ").append(String.join(", ", labels)).append(". Positive label: ")
                    .append(evaluation.positiveLabel() == null ? "none" : evaluation.positiveLabel())
                    .append(". Macro F1: ").append(Numbers.repr(ClassificationMetrics.macroF1(all.confusion())))
                    .append(", weighted F1: ").append(Numbers.repr(ClassificationMetrics.weightedF1(all.confusion())))
                    .append(".\n\n");
            md.append("## Confusion matrix\n\nRows are true labels, columns predicted labels.\n\n| true \\ predicted |");
            labels.forEach(label -> md.append(' ').append(label).append(" |"));
            md.append("\n|---|");
            labels.forEach(label -> md.append("---:|"));
            md.append('\n');
            for (int actual = 0; actual < labels.size(); actual++) {
                md.append("| ").append(labels.get(actual)).append(" |");
                for (int predicted = 0; predicted < labels.size(); predicted++) {
                    md.append(' ').append(all.confusion().count(actual, predicted)).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        ScoringResult scoring = report.scoring();
        if (scoring != null) {
            md.append("## Scoring\n\n")
                    .append("| input | scored | rejected | skipped (already scored) | inserted | updated | seconds |\n")
                    .append("|---:|---:|---:|---:|---:|---:|---:|\n")
                    .append("| ").append(scoring.input()).append(" | ").append(scoring.scored()).append(" | ")
                    .append(scoring.rejected()).append(" | ").append(scoring.skipped()).append(" | ")
                    .append(scoring.inserted()).append(" | ").append(scoring.updated()).append(" | ")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", scoring.duration().toMillis() / 1000.0))
                    .append(" |\n\n");
            if (!scoring.rejectsByReason().isEmpty()) {
                md.append("Rejected rows by reason: ");
                boolean first = true;
                for (Map.Entry<String, Long> entry : scoring.rejectsByReason().entrySet()) {
                    md.append(first ? "" : ", ").append(entry.getKey()).append(' ').append(entry.getValue());
                    first = false;
                }
                md.append(".\n\n");
            }
        }
        Set<String> notes = new LinkedHashSet<>();
        for (SliceEvaluation.MetricValue value : all.values()) {
            if (value.note() != null) {
                notes.add(value.metric() + (value.classLabel() == null ? "" : " (" + value.classLabel() + ")")
                        + ": " + value.note());
            }
        }
        if (!notes.isEmpty()) {
            md.append("## Notes\n\n");
            notes.forEach(note -> md.append("- ").append(note).append('\n'));
            md.append('\n');
        }
        if (evaluation.slices().size() > 1) {
            md.append("## Slices\n\n| slice | value | rows | labeled | accuracy | auc | log loss |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|\n");
            for (SliceEvaluation slice : evaluation.slices().subList(1, evaluation.slices().size())) {
                md.append("| ").append(slice.sliceName()).append(" | ").append(slice.sliceValue()).append(" | ")
                        .append(slice.rows()).append(" | ").append(slice.labeled()).append(" | ")
                        .append(slice.accuracy() == null ? "" : Numbers.fixed4(slice.accuracy())).append(" | ")
                        .append(slice.auc() == null ? "" : Numbers.fixed4(slice.auc())).append(" | ")
                        .append(slice.logLoss() == null ? "" : Numbers.fixed4(slice.logLoss())).append(" |\n");
            }
            md.append('\n');
        }
        return md.toString();
    }
}
