package dev.reviewscore.job;

import dev.reviewscore.gates.GateViolation;
import java.util.List;

/**
 * How a run that did its work ended.
 *
 * @param runId the run
 * @param scored what its scoring step did, or null when it did not score
 * @param evaluated what its evaluation step did, or null when it did not evaluate
 * @param brokenGates the quality gates it broke, empty when it passed every configured gate
 */
public record RunOutcome(String runId, Scored scored, Evaluated evaluated, List<GateViolation> brokenGates) {
    /** Copies the list. */
    public RunOutcome {
        brokenGates = List.copyOf(brokenGates);
    }

    /** Whether the run passed every configured quality gate. */
    public boolean passed() {
        return brokenGates.isEmpty();
    }
}
