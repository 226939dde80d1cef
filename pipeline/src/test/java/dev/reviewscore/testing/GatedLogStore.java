package dev.reviewscore.testing;

import io.delta.storage.HDFSLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
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
 * and two ways to stop one commit of a job running in this JVM:
 * <ul>
 *   <li>{@link #crashAt}: the n-th commit under a folder never happens, and the thread making it throws {@link Crash},
 *       an {@link Error} the job does not catch, as if the process were killed there;</li>
 *   <li>{@link #holdAt}: the n-th commit of a table waits until the test releases it, so that another job can run to
 *       its end meanwhile.</li>
 * </ul>
 * Registered with {@code spark.delta.logStore.file.impl}; with none set, it is Delta's own log store.
 */
public final class GatedLogStore extends HDFSLogStore {
    /** The system property naming the table whose first commit after its creation never completes. */
    public static final String PAUSE_PROPERTY = "reviewscore.test.pauseBeforeCommit";
    /** What a paused commit prints. */
    public static final String PAUSED = "GatedLogStore: paused before writing ";
    private static volatile Gate gate;
    private static volatile Stop stop;

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

    /** What a commit stopped by {@link #crashAt} throws: the process "died" before the commit file was written. */
    public static final class Crash extends Error {
        private static final long serialVersionUID = 1L;

        private Crash(String message) {
            super(message);
        }
    }

    /** A commit held by {@link #holdAt}, or the crash set by {@link #crashAt}; closing it lifts it. */
    public static final class Stop implements AutoCloseable {
        private final Path folder;
        private final int nth;
        private final boolean crash;
        private final AtomicInteger seen = new AtomicInteger();
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Stop(Path folder, int nth, boolean crash) {
            this.folder = folder.toAbsolutePath().normalize();
            this.nth = nth;
            this.crash = crash;
        }

        /** Waits until the held commit is reached; false when it was not within the time. */
        public boolean awaitReached(long seconds) throws InterruptedException {
            return reached.await(seconds, TimeUnit.SECONDS);
        }

        /** Whether the commit was reached (and crashed or held). */
        public boolean reached() {
            return reached.getCount() == 0;
        }

        /** Lets a held commit go on. */
        public void release() {
            released.countDown();
        }

        private void arrive(org.apache.hadoop.fs.Path path) throws IOException {
            if (seen.incrementAndGet() != nth) {
                return;
            }
            reached.countDown();
            if (crash) {
                throw new Crash("GatedLogStore: crashed before writing " + path);
            }
            try {
                if (!released.await(10, TimeUnit.MINUTES)) {
                    throw new IOException("a held commit was never released: " + path);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while held before a commit", e);
            }
        }

        @Override
        public void close() {
            release();
            stop = null;
        }
    }

    /** Makes the {@code nth} commit (1 is the first) of any table under {@code folder} crash, from now on. */
    public static Stop crashAt(Path folder, int nth) {
        Stop crash = new Stop(folder, nth, true);
        stop = crash;
        return crash;
    }

    /** Holds the {@code nth} commit (1 is the first) of the table in {@code table} until it is released. */
    public static Stop holdAt(Path table, int nth) {
        Stop hold = new Stop(table, nth, false);
        stop = hold;
        return hold;
    }

    @Override
    public void write(org.apache.hadoop.fs.Path path, Iterator<String> actions, Boolean overwrite,
                      Configuration hadoopConf) throws IOException {
        Stop stopping = stop;
        if (stopping != null && path.getName().matches("\\d{20}\\.json")
                && Path.of(path.getParent().getParent().toUri().getPath()).startsWith(stopping.folder)) {
            stopping.arrive(path);
        }
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
