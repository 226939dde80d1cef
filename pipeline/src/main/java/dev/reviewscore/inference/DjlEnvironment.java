package dev.reviewscore.inference;

/**
 * Keeps DJL offline in this JVM: no model-zoo downloads and no usage tracking (which would otherwise reach for the
 * cloud metadata address at engine start). Environment variables {@code DJL_OFFLINE} / {@code OPT_OUT_TRACKING}
 * or system properties set by the user win; otherwise this sets the system properties before DJL first reads them.
 */
public final class DjlEnvironment {
    private DjlEnvironment() {}

    /** Sets {@code ai.djl.offline} and {@code OPT_OUT_TRACKING} unless already configured. */
    public static synchronized void ensureOffline() {
        setDefault("ai.djl.offline", "DJL_OFFLINE");
        setDefault("OPT_OUT_TRACKING", "OPT_OUT_TRACKING");
    }

    /** Whether both offline switches are on in this JVM. */
    public static boolean isOffline() {
        return isTrue("ai.djl.offline", "DJL_OFFLINE") && isTrue("OPT_OUT_TRACKING", "OPT_OUT_TRACKING");
    }

    /**
     * Sets PyTorch's intra-op and inter-op thread counts for this JVM; effective only before the engine starts.
     *
     * @param threads intra-op threads (per concurrent task)
     */
    public static synchronized void threadsPerTask(int threads) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    private static void setDefault(String property, String environment) {
        if (System.getProperty(property) == null && System.getenv(environment) == null) {
            System.setProperty(property, "true");
        }
    }

    private static boolean isTrue(String property, String environment) {
        String value = System.getProperty(property, System.getenv(environment));
        return Boolean.parseBoolean(value);
    }
}
