package dev.reviewscore.report;

import dev.reviewscore.gates.GateDecision;
import dev.reviewscore.metrics.ClassificationMetrics;
import dev.reviewscore.metrics.Comparison;
import dev.reviewscore.metrics.ErrorExample;
import dev.reviewscore.metrics.Interval;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.ThresholdAnalysis;
import dev.reviewscore.scoring.ScoringResult;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
                .append(" over ").append(report.scoredTable()).append(".");
        if (evaluation.basis() != null) {
            md.append(" Computed from ").append(evaluation.basis()).append('.');
        }
        md.append("\n\n");
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
                notes.add(value.metric().metricName()
                        + (value.classLabel() == null ? "" : " (" + value.classLabel() + ")") + ": " + value.note());
            }
        }
        if (!notes.isEmpty()) {
            md.append("## Notes\n\n");
            notes.forEach(note -> md.append("- ").append(note).append('\n'));
            md.append('\n');
        }
        if (evaluation.slices().size() > 1) {
            String level = ModelCardBlock.percent(all.intervals().level());
            md.append("## Slices\n\n| slice | value | rows | labeled | accuracy | ").append(level)
                    .append(" interval | auc | ").append(level).append(" interval | log loss |\n")
                    .append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (SliceEvaluation slice : evaluation.slices().subList(1, evaluation.slices().size())) {
                md.append("| ").append(slice.sliceName()).append(" | ").append(slice.sliceValue()).append(" | ")
                        .append(slice.rows()).append(" | ").append(slice.labeled()).append(" | ")
                        .append(slice.accuracy() == null ? "" : Numbers.fixed4(slice.accuracy())).append(" | ")
                        .append(interval(slice.intervals().of(Metric.ACCURACY))).append(" | ")
                        .append(slice.auc() == null ? "" : Numbers.fixed4(slice.auc())).append(" | ")
                        .append(interval(slice.intervals().of(Metric.AUC))).append(" | ")
                        .append(slice.logLoss() == null ? "" : Numbers.fixed4(slice.logLoss())).append(" |\n");
            }
            md.append('\n');
        }
        gates(md, report);
        comparison(md, evaluation.comparison());
        thresholds(md, evaluation.thresholds());
        examples(md, evaluation.examples());
        return md.toString();
    }

    private static String interval(Interval interval) {
        return interval == null ? "" : ModelCardBlock.bounds(interval);
    }

    private static void gates(StringBuilder md, RunReport report) {
        if (report.gates().isEmpty()) {
            return;
        }
        md.append("## Quality gates\n\n| gate | slice | compared | value | threshold | labeled reviews | outcome |\n")
                .append("|---|---|---|---:|---:|---:|---|\n");
        for (GateDecision gate : report.gates()) {
            md.append("| ").append(gate.gate()).append(" | ").append(gate.slice()).append(" | ")
                    .append(gate.measure()).append(' ').append(gate.bound()).append(" | ")
                    .append(gate.compared() == null ? "undefined (" + gate.why() + ")" : Numbers.fixed4(gate.compared()))
                    .append(" | ").append(gate.threshold()).append(" | ")
                    .append(gate.labeled() < 0 ? "" : Long.toString(gate.labeled())).append(" | ")
                    .append(gate.passed() ? "passed" : "**failed**").append(" |\n");
        }
        List<GateDecision> few = report.gatesOnFewReviews();
        if (!few.isEmpty()) {
            md.append("\nDecided on fewer than ").append(report.minLabeledReviews())
                    .append(" labeled reviews (gates.min-labeled-reviews): ");
            for (int i = 0; i < few.size(); i++) {
                md.append(i == 0 ? "" : ", ").append(few.get(i).gate()).append(" on ").append(few.get(i).slice())
                        .append(" (").append(few.get(i).labeled()).append(')');
            }
            md.append(".\n");
        }
        md.append('\n');
    }

    private static void comparison(StringBuilder md, Comparison comparison) {
        if (comparison == null) {
            return;
        }
        md.append("## Champion against challenger\n\nChampion `").append(comparison.championVersion())
                .append("`, challenger `").append(comparison.challengerVersion()).append("` (this evaluation): ")
                .append(comparison.paired()).append(" reviews scored by both, ").append(comparison.labeled())
                .append(" of them labeled.\n\n| metric | champion | challenger | difference | test | p-value |\n")
                .append("|---|---:|---:|---:|---|---:|\n");
        md.append("| accuracy | ").append(Numbers.fixed4(comparison.championAccuracy())).append(" | ")
                .append(Numbers.fixed4(comparison.challengerAccuracy())).append(" | ")
                .append(String.format(Locale.ROOT, "%+.4f", comparison.challengerAccuracy()
                        - comparison.championAccuracy()))
                .append(" | McNemar, exact (").append(comparison.championOnlyRight()).append(" right by the champion "
                        + "only, ").append(comparison.challengerOnlyRight()).append(" by the challenger only) | ")
                .append(String.format(Locale.ROOT, "%.4g", comparison.accuracyPValue())).append(" |\n");
        if (comparison.auc() != null) {
            md.append("| auc | ").append(Numbers.fixed4(comparison.auc().championAuc())).append(" | ")
                    .append(Numbers.fixed4(comparison.auc().challengerAuc())).append(" | ")
                    .append(String.format(Locale.ROOT, "%+.4f", comparison.auc().difference()))
                    .append(" | DeLong, paired | ").append(String.format(Locale.ROOT, "%.4g", comparison.auc().pValue()))
                    .append(" |\n");
        }
        md.append("\nThey predict different labels for ").append(comparison.disagreements()).append(" reviews");
        if (comparison.examples().isEmpty()) {
            md.append(".\n\n");
            return;
        }
        md.append("; those with the largest difference in probability:\n\n")
                .append("| review | label | champion | challenger | text |\n|---|---|---|---|---|\n");
        for (Comparison.Disagreement disagreement : comparison.examples()) {
            md.append("| ").append(cell(disagreement.reviewId())).append(" | ").append(cell(disagreement.label()))
                    .append(" | ").append(disagreement.championPredicted()).append(' ')
                    .append(Numbers.fixed4(disagreement.championProbability())).append(" | ")
                    .append(disagreement.challengerPredicted()).append(' ')
                    .append(Numbers.fixed4(disagreement.challengerProbability())).append(" | ")
                    .append(cell(disagreement.text())).append(" |\n");
        }
        md.append('\n');
    }

    private static void thresholds(StringBuilder md, ThresholdAnalysis thresholds) {
        if (thresholds == null) {
            return;
        }
        md.append("## Thresholds\n\nReviews whose positive-label probability is at least the threshold are "
                        + "predicted positive; from the score histogram (exact at multiples of 0.001).\n\n")
                .append("| threshold | chosen for | precision | recall | F1 | accuracy | predicted positive |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|\n");
        threshold(md, thresholds.atHalf(), "0.5");
        threshold(md, thresholds.bestF1(), "highest F1");
        if (thresholds.targetPrecision() == null) {
            md.append("| | precision ").append(thresholds.target()).append(" | not reached at any threshold | | | | |\n");
        } else {
            threshold(md, thresholds.targetPrecision(), "precision " + thresholds.target() + ", most recall");
        }
        md.append('\n');
    }

    private static void threshold(StringBuilder md, ThresholdAnalysis.Point point, String why) {
        md.append("| ").append(String.format(Locale.ROOT, "%.3f", point.threshold())).append(" | ").append(why)
                .append(" | ").append(Numbers.fixed4(point.precision())).append(" | ")
                .append(Numbers.fixed4(point.recall())).append(" | ").append(Numbers.fixed4(point.f1())).append(" | ")
                .append(Numbers.fixed4(point.accuracy())).append(" | ").append(point.predictedPositive())
                .append(" |\n");
    }

    private static void examples(StringBuilder md, List<ErrorExample> examples) {
        if (examples.isEmpty()) {
            return;
        }
        md.append("## Reviews to read\n\n");
        String kind = null;
        for (ErrorExample example : examples) {
            String heading = example.kind().equals(ErrorExample.CONFIDENTLY_WRONG)
                    ? "Most confidently wrong, true label " + example.label() : "Nearest the 0.5 threshold";
            if (!heading.equals(kind)) {
                md.append(kind == null ? "" : "\n").append("### ").append(heading).append("\n\n")
                        .append("| review | label | predicted | probability | slices | text |\n")
                        .append("|---|---|---|---:|---|---|\n");
                kind = heading;
            }
            md.append("| ").append(cell(example.reviewId())).append(" | ").append(cell(example.label())).append(" | ")
                    .append(cell(example.predicted())).append(" | ").append(Numbers.fixed4(example.confidence()))
                    .append(" | ").append(cell(example.slices().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("")))
                    .append(" | ").append(cell(example.text())).append(" |\n");
        }
        md.append('\n');
    }

    /** A table cell: one line, pipes escaped. */
    private static String cell(String text) {
        return text == null ? "" : text.replace("\\", "\\\\").replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }
}
