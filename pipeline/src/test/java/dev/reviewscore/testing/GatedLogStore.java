package dev.reviewscore.testing;

import io.delta.storage.HDFSLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;

/**
 * Delta's log store for {@code file:} paths ({@link HDFSLogStore}, Delta's default for the scheme), with two ways for a
 * test to stop a commit after the transaction wrote its data files and before its commit file exists:
 * <ul>
 *   <li>{@link #holdTogether}: the next commits (version 1 or later) of one table wait for each other, so that
 *       concurrent transactions certainly read the same version and race for the same commit;</li>
 *   <li>the system property {@value #PAUSE_PROPERTY} (a table folder): the first such commit of that table prints
 *       {@value #PAUSED} and the commit file's path, then waits forever, for a test to kill the JVM there.</li>
 * </ul>
 * Registered with {@code spark.delta.logStore.file.impl}; with neither set, it is Delta's own log store.
 */
public final class GatedLogStore extends HDFSLogStore {
    /** The system property naming the table whose first commit after its creation never completes. */
    public static final String PAUSE_PROPERTY = "reviewscore.test.pauseBeforeCommit";
    /** What a paused commit prints. */
    public static final String PAUSED = "GatedLogStore: paused before writing ";
    private static volatile Gate gate;

    /** @param initHadoopConf the Hadoop configuration Delta passes to log stores */
    public GatedLogStore(Configuration initHadoopConf) {
        super(initHadoopConf);
    }

    /** A closed gate on a table's next commits. */
    public static final class Gate implements AutoCloseable {
        private final Path table;
        private final CyclicBarrier barrier;
        private final AtomicInteger arrived = new AtomicInteger();

        private Gate(Path table, int commits) {
            this.table = table.toAbsolutePath().normalize();
            this.barrier = new CyclicBarrier(commits);
        }

        /** Whether every expected commit reached the gate before any went on. */
        public boolean metTogether() {
            return arrived.get() >= barrier.getParties() && !barrier.isBroken();
        }

        private void await() throws IOException {
            if (arrived.incrementAndGet() > barrier.getParties()) {
                return;
            }
            try {
                barrier.await(2, TimeUnit.MINUTES);
            } catch (TimeoutException | BrokenBarrierException e) {
                // the other transaction never came: let this one go on; metTogether() reports it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the commit gate", e);
            }
        }

        @Override
        public void close() {
            gate = null;
        }
    }

    /**
     * Makes the next {@code commits} commits of version 1 or later of the table in {@code table} wait until all of
     * them have reached their commit (or two minutes have passed); later commits (a retry) pass.
     */
    public static Gate holdTogether(Path table, int commits) {
        Gate opened = new Gate(table, commits);
        gate = opened;
        return opened;
    }

    @Override
    public void write(org.apache.hadoop.fs.Path path, Iterator<String> actions, Boolean overwrite,
                      Configuration hadoopConf) throws IOException {
        Gate current = gate;
        if (current != null && isLaterCommitOf(path, current.table)) {
            current.await();
        }
        String paused = System.getProperty(PAUSE_PROPERTY);
        if (paused != null && isLaterCommitOf(path, Path.of(paused).toAbsolutePath().normalize())) {
            System.out.println(PAUSED + path);
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while paused before a commit", e);
            }
        }
        super.write(path, actions, overwrite, hadoopConf);
    }

    /** Whether {@code path} is a commit file of version 1 or later in the table's log. */
    private static boolean isLaterCommitOf(org.apache.hadoop.fs.Path path, Path table) {
        String name = path.getName();
        return name.matches("\\d{20}\\.json") && Long.parseLong(name.substring(0, 20)) >= 1
                && Path.of(path.getParent().getParent().toUri().getPath()).equals(table);
    }
}
