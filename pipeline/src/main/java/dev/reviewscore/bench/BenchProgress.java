package dev.reviewscore.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a bench run on standard error, away from the result tables: a line when a measurement starts, and
 * while it runs a line at least every {@code every} saying what is being measured and for how long.
 */
final class BenchProgress implements AutoCloseable {
    private final PrintStream err;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-progress");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String current = "starting";
    private volatile long since = System.nanoTime();

    BenchProgress(PrintStream err, Duration every) {
        this.err = err;
        long millis = every.toMillis();
        timer.scheduleAtFixedRate(this::still, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Starts the next measurement, for example {@code "1-2. movie-sentiment: raw predictor, pass 1 of 2"}. */
    void step(String what) {
        current = what;
        since = System.nanoTime();
        err.println("bench: " + what + " (" + seconds(started) + " in all)");
    }

    private void still() {
        err.println("bench: still " + current + " (" + seconds(since) + " on it, " + seconds(started) + " in all)");
    }

    private static String seconds(long from) {
        return String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - from) / 1e9);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
