package dev.reviewscore.cli;

import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.SourceDeletes;
import dev.reviewscore.job.Evaluated;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.job.RunContext;
import dev.reviewscore.job.Scored;
import dev.reviewscore.metrics.Evaluation;
import dev.reviewscore.monitoring.RunMonitoring;
import dev.reviewscore.report.ModelCardBlock;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.scoring.ScoringStage;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a run's account as it goes: what it read and scored, its monitoring, and its evaluation's headline. */
public final class RunPrinter implements JobRun.Listener {
    private final PrintStream out;

    private RunPrinter(PrintStream out) {
        this.out = out;
    }

    /** A listener printing to {@code out}. */
    public static JobRun.Listener to(PrintStream out) {
        return new RunPrinter(out);
    }

    @Override
    public void scoring(RunContext context) {
        out.printf("Run %s: scoring %s with model %s (version %s)%n", context.run().runId(),
                context.config().source().location(), context.bundle().name(), context.bundle().version());
    }

    @Override
    public void scored(RunContext context, Scored scored) {
        JobConfig config = context.config();
        ScoringResult result = scored.result();
        out.println("Read: " + result.range().describe());
        out.printf(Locale.ROOT, "Input %d = scored %d + rejected %d + skipped %d (already scored); "
                        + "inserted %d, updated %d; %.1f s%n", result.input(), result.scored(), result.rejected(),
                result.skipped(), result.inserted(), result.updated(), result.duration().toMillis() / 1000.0);
        if (result.deleted() > 0) {
            out.printf(Locale.ROOT, "Gone from the source, or no longer scorable: %d scores %s%n", result.deleted(),
                    config.scoring().sourceDeletes() == SourceDeletes.REMOVE ? "removed"
                            : "marked (source_deleted_at)");
        }
        if (!result.rejectsByReason().isEmpty()) {
            out.println("Rejected by reason: " + result.rejectsByReason() + " (see " + config.output().rejects() + ")");
        }
        StringBuilder stages = new StringBuilder("Stages:");
        result.stagesByKey().forEach((stage, duration) -> stages.append(String.format(Locale.ROOT, " %s %.1f s;",
                stage, duration.toMillis() / 1000.0)));
        double scoreSeconds = result.stages().get(ScoringStage.SCORE).toMillis() / 1000.0;
        out.println(stages.append(String.format(Locale.ROOT, " %.0f reviews/s while scoring",
                scoreSeconds > 0 ? result.scored() / scoreSeconds : 0)));
        out.println("Scored table: " + config.output().scored());
        RunMonitoring monitoring = scored.monitoring();
        out.println(monitoring.reviews() == 0 ? "Monitoring: " + monitoring.note()
                : String.format(Locale.ROOT, "Monitoring: %d reviews newly scored, positive rate %.4f, mean "
                        + "positive probability %.4f, drift (PSI) %s", monitoring.reviews(), monitoring.positiveRate(),
                monitoring.meanScore(), monitoring.drift() == null ? "n/a (" + monitoring.note() + ")"
                        : String.format(Locale.ROOT, "%.4f against run %s", monitoring.drift(),
                                monitoring.previousRun())));
    }

    @Override
    public void evaluated(RunContext context, Evaluated evaluated) {
        Evaluation evaluation = evaluated.evaluation();
        if (evaluation.overall().rows() == 0) {
            out.println("The scored table has no scores of model version " + evaluation.modelVersion() + " yet: the "
                    + "evaluation covers 0 reviews.");
        }
        out.printf("Evaluation of %s version %s: %d labeled of %d scored reviews%n", evaluation.modelName(),
                evaluation.modelVersion(), evaluation.overall().labeled(), evaluation.overall().rows());
        out.println("Computed from " + evaluation.basis());
        out.print(ModelCardBlock.render(evaluation.overall()));
        out.println("Metrics table: " + context.config().output().metrics());
        for (String file : evaluated.reports()) {
            out.println("Report: " + file);
        }
        out.flush();
    }
}
