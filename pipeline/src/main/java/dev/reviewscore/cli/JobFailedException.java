package dev.reviewscore.cli;

/**
 * How a run that did not succeed ends where a platform owns the driver's JVM (see {@link DriverHost}): the platform
 * marks the run failed and shows this message; the job's own messages were printed before it.
 */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    /**
     * @param command the sub-command (its other arguments may hold credentials, so they are left out)
     * @param exitCode the exit code the run would have exited with in its own process
     */
    public JobFailedException(String command, int exitCode) {
        super("reviewscore " + (command.isEmpty() ? "" : command + " ") + "failed with exit code " + exitCode
                + " (" + meaning(exitCode) + "); the job's messages above say what and where.");
        this.exitCode = exitCode;
    }

    /** The exit code the run would have exited with in its own process: 1, 2 or 3 (see {@link Main}). */
    public int exitCode() {
        return exitCode;
    }

    private static String meaning(int exitCode) {
        return switch (exitCode) {
            case Main.USER_ERROR -> "a usage, configuration or input error";
            case Main.GATE_FAILED -> "a quality gate was broken; every result was written and the metrics table "
                    + "records the broken gates";
            default -> "a failure; its cause is printed last";
        };
    }
}
