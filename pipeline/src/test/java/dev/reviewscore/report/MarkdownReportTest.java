package dev.reviewscore.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.metrics.ConfusionMatrix;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.sink.RunHistory;
import dev.reviewscore.metrics.ScoreCurves;
import dev.reviewscore.metrics.SliceEvaluation;
import dev.reviewscore.metrics.SliceIntervals;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.scoring.ScoringStage;
import dev.reviewscore.source.SourceRange;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    private static RunReport cardRun() {
        return cardRun(null);
    }

    /** The model card's table, with these score curves (or none). */
    private static RunReport cardRun(ScoreCurves curves) {
        SliceEvaluation all = new SliceEvaluation("all", "all", 210, 200,
                new ConfusionMatrix(LABELS, new long[][] {{88, 5}, {5, 102}}), 0.23381, 0.98851, null, SliceIntervals.NONE);
        Evaluation evaluation = new Evaluation("movie-sentiment", "0123456789abcdef", LABELS, "POSITIVE",
                List.of(all), curves);
        ScoringResult scoring = new ScoringResult("run-1", "movie-sentiment", "0123456789abcdef", 212,
                210, 2, 0, 210, 0, 0, Map.of("empty_text", 2L), Map.of(ScoringStage.SCORE, Duration.ofMillis(12_340)),
                new SourceRange(SourceRange.CHANGES, "0b7e", 12L, 14L, null));
        return new RunReport("run-1", Instant.parse("2026-11-26T06:00:00Z"), "path /tables/scored", evaluation,
                scoring, null, new RunHistory(List.of()), List.of(), 100);
    }

    @Test
    void rendersTheModelCardBlockAndTheDetails() {
        assertEquals("""
                # movie-sentiment (version 0123456789abcdef)

                Run `run-1`, evaluated at 2026-11-26T06:00:00Z over path /tables/scored.

                It achieves the following results on the 200 labeled of 210 scored reviews:
                - Loss: 0.2338
                - Accuracy: 0.95
                - F1: [0.946236559139785, 0.9532710280373832]
                - Precision: [0.946236559139785, 0.9532710280373832]
                - Recall: [0.946236559139785, 0.9532710280373832]
                - Auc: 0.9885

                Labels: NEGATIVE, POSITIVE. Positive label: POSITIVE. Macro F1: 0.949753793588584, \
                weighted F1: 0.95.

                ## Confusion matrix

                Rows are true labels, columns predicted labels.

                | true \\ predicted | NEGATIVE | POSITIVE |
                |---|---:|---:|
                | NEGATIVE | 88 | 5 |
                | POSITIVE | 5 | 102 |

                ## Scoring

                | input | scored | rejected | skipped (already scored) | inserted | updated | seconds |
                |---:|---:|---:|---:|---:|---:|---:|
                | 212 | 210 | 2 | 0 | 210 | 0 | 12.3 |

                Rejected rows by reason: empty_text 2.

                """, MarkdownReport.render(cardRun()));
    }

    @Test
    void theJsonReportCarriesPerLabelArraysAndTheConfusionMatrix() {
        long[] positives = new long[ScoreCurves.BINS];
        long[] negatives = new long[ScoreCurves.BINS];
        double[] sums = new double[ScoreCurves.BINS];
        positives[ScoreCurves.bin(0.9)] = 107;
        negatives[ScoreCurves.bin(0.1)] = 93;
        sums[ScoreCurves.bin(0.9)] = 107 * 0.9;
        sums[ScoreCurves.bin(0.1)] = 93 * 0.1;
        String json = JsonReport.render(cardRun(new ScoreCurves(positives, negatives, sums)));
        assertTrue(json.contains("\"mean_score\" : 0.9"), json);
        assertTrue(json.contains("\"accuracy\" : 0.95"), json);
        assertTrue(json.contains("\"f1\" : [ 0.946236559139785, 0.9532710280373832 ]"), json);
        assertTrue(json.contains("\"counts\" : [ [ 88, 5 ], [ 5, 102 ] ]"), json);
        assertTrue(json.contains("\"rejects_by_reason\" : {\n      \"empty_text\" : 2\n    }"), json);
        assertTrue(json.contains("\"rows\" : 210,"), "counts are whole numbers: " + json);
        assertTrue(json.contains("\"support\" : [ 93, 107 ]"), json);
        assertTrue(!json.matches("(?s).*\"[a-z]+[A-Z][A-Za-z]*\" :.*"), "no camelCase key: " + json);
    }
}
