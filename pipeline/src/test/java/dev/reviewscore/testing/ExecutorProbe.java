package dev.reviewscore.testing;

import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ExecutorModels;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.api.java.function.MapPartitionsFunction;

/**
 * Runs inside executor JVMs to report what a test cannot see from the driver: the process id, how many models the
 * JVM loaded, whether DJL is offline there, and every URL the JVM tried to open since {@link #RECORD} ran (Java's
 * URL connections consult the default {@link ProxySelector} for each one).
 */
public final class ExecutorProbe {
    private static final List<String> OPENED = new CopyOnWriteArrayList<>();

    private ExecutorProbe() {}

    /** Installs the recording proxy selector in the executor JVM (once); returns the pid. */
    public static final MapPartitionsFunction<Long, String> RECORD = rows -> {
        record();
        return List.of(Long.toString(ProcessHandle.current().pid())).iterator();
    };

    /** Installs the recording proxy selector in this JVM (once). */
    public static void record() {
        synchronized (OPENED) {
            if (!(ProxySelector.getDefault() instanceof Recorder)) {
                ProxySelector.setDefault(new Recorder(ProxySelector.getDefault()));
            }
        }
    }

    /** The URIs this JVM asked to open since {@link #record()}. */
    public static List<String> opened() {
        return List.copyOf(OPENED);
    }

    /** One line per partition: {@code pid|model loads|DJL_OFFLINE env|offline switches on|URLs opened}. */
    public static final MapPartitionsFunction<Long, String> REPORT = rows -> List.of(
            ProcessHandle.current().pid() + "|" + ExecutorModels.loads() + "|" + System.getenv("DJL_OFFLINE") + "|"
                    + DjlEnvironment.isOffline() + "|" + String.join(" ", OPENED)).iterator();

    /** Records every URI asked for, then answers as the previous selector would. */
    private static final class Recorder extends ProxySelector {
        private final ProxySelector delegate;

        Recorder(ProxySelector delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Proxy> select(URI uri) {
            OPENED.add(uri.toString());
            return delegate == null ? List.of(Proxy.NO_PROXY) : delegate.select(uri);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {
            if (delegate != null) {
                delegate.connectFailed(uri, address, e);
            }
        }
    }
}
