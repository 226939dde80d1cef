package dev.reviewscore.scoring;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Reports scoring progress while tasks run: reviews scored of the total, rate and time remaining. Tasks add to a
 * {@link LongAccumulator} after every batch group; executors send running tasks' values with their heartbeats
 * ({@code spark.executor.heartbeatInterval}, 10 s by default), finished tasks with their results, and failed
 * attempts' counts are dropped, so the figure never counts a review twice.
 */
final class ScoringProgress extends SparkListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringProgress.class);

    private final SparkContext context;
    private final LongAccumulator counter;
    private final long total;
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final Map<Long, Long> finished = new ConcurrentHashMap<>();
    private final ScheduledExecutorService printer;
    private final long start = System.nanoTime();

    /**
     * @param context the Spark context to listen to; null (Spark Connect) for no reports while tasks run
     * @param counter the accumulator scoring tasks add to; null with a null context
     * @param total reviews to score
     * @param intervalSeconds seconds between reports; 0 reports nothing while tasks run
     */
    ScoringProgress(SparkContext context, LongAccumulator counter, long total, int intervalSeconds) {
        this.context = context;
        this.counter = counter;
        this.total = total;
        this.printer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "reviewscore-progress");
            thread.setDaemon(true);
            return thread;
        });
        if (context != null) {
            context.addSparkListener(this);
            if (intervalSeconds > 0) {
                printer.scheduleAtFixedRate(() -> LOG.info(report()), intervalSeconds, intervalSeconds,
                        TimeUnit.SECONDS);
            }
        }
    }

    /** Reviews scored so far by running and finished tasks. */
    long scored() {
        long sum = 0;
        for (long value : running.values()) {
            sum += value;
        }
        for (long value : finished.values()) {
            sum += value;
        }
        return sum;
    }

    /** One line: done of total, percentage, rate, time left. */
    String report() {
        return report(scored());
    }

    /** {@link #report()} with {@code handled} reviews done: the final line, from the pass's own counts. */
    String report(long handled) {
        long done = Math.min(handled, total);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String left = rate > 0 ? duration((total - done) / rate) : "unknown";
        return String.format(Locale.ROOT, "Scoring: %,d of %,d reviews (%.0f%%), %,.0f reviews/s, about %s left",
                done, total, total == 0 ? 100.0 : 100.0 * done / total, rate, left);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : s + " s";
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        var tasks = update.accumUpdates().iterator();
        while (tasks.hasNext()) {
            var task = tasks.next();
            long taskId = (Long) task._1();
            var infos = task._4().iterator();
            while (infos.hasNext()) {
                Long value = valueOf(infos.next());
                if (value != null && !finished.containsKey(taskId)) {
                    running.put(taskId, value);
                }
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        long taskId = end.taskInfo().taskId();
        running.remove(taskId);
        if (end.reason() == Success$.MODULE$) {
            var infos = end.taskInfo().accumulables().iterator();
            while (infos.hasNext()) {
                Long value = valueOf(infos.next());
                if (value != null) {
                    finished.put(taskId, value);
                }
            }
        }
    }

    private Long valueOf(AccumulableInfo info) {
        if (info.id() != counter.id()) {
            return null;
        }
        Option<Object> update = info.update();
        return update.isDefined() ? ((Number) update.get()).longValue() : null;
    }

    @Override
    public void close() {
        printer.shutdownNow();
        if (context != null) {
            context.removeSparkListener(this);
        }
    }
}
