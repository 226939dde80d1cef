package dev.reviewscore.inference;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models loaded in this JVM, one per (model folder, model version, token-type setting, device): each executor
 * loads a model once, and every task on it shares that copy (tasks on the same GPU share one model; tasks on other
 * GPUs get their own). Executors' tasks call it, and so does the driver: to probe the model before any Spark work
 * (a local-mode run then scores with the copy the probe loaded) and in the benchmarks. Nothing here is shipped from
 * the driver: each JVM loads its own models.
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final ConcurrentHashMap<Key, SentimentModel> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    private record Key(String location, String version, boolean tokenTypes, String device) {}

    /**
     * The shared model for a bundle on a device, loaded on first use. A model at a URI is copied to this machine's
     * local disk first (once; see {@link ModelLocation}). The local files are checked against the bundle's content
     * hash before loading, so an executor never scores with other files than the driver planned with.
     *
     * @param bundle the model as the driver opened it
     * @param tokenTypes whether to send token type ids
     * @param device the device
     * @param threads PyTorch intra-op threads per task (takes effect if the engine has not started yet)
     * @param hadoop the Hadoop configuration to read a model URI with; null for a local path
     * @return the loaded model (owned by this holder; do not close it)
     */
    public static SentimentModel get(ModelBundle bundle, boolean tokenTypes, Device device, int threads,
                                     Configuration hadoop) {
        Key key = new Key(bundle.location(), bundle.version(), tokenTypes, device.toString());
        SentimentModel model = MODELS.get(key);
        if (model != null) {
            return model;
        }
        return MODELS.computeIfAbsent(key, k -> load(bundle, tokenTypes, device, threads, hadoop));
    }

    private static SentimentModel load(ModelBundle bundle, boolean tokenTypes, Device device, int threads,
                                       Configuration hadoop) {
        long start = System.nanoTime();
        DjlEnvironment.ensureOffline();
        DjlEnvironment.threadsPerTask(threads);
        ModelBundle local = ModelBundle.open(ModelLocation.localFolder(bundle, hadoop));
        if (!local.version().equals(bundle.version())) {
            throw new InvalidInputException("Model folder " + local.directory() + " on this executor has version "
                    + local.version() + ", but the job was planned with version " + bundle.version() + ". Fix: make "
                    + "every node see the same model files (use a shared file system URI for model.location).");
        }
        SentimentModel model = SentimentModel.load(local.at(bundle.location()), tokenTypes, device);
        int loads = LOADS.incrementAndGet();
        LOG.info("Loaded model {} version {} on {} in {} ms (load {} in this JVM)", bundle.name(), bundle.version(),
                device, (System.nanoTime() - start) / 1_000_000, loads);
        return model;
    }

    /** How many models this JVM has loaded so far. */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes and forgets every loaded model (for a driver that scored in local mode, and for tests). */
    public static synchronized void closeAll() {
        List<SentimentModel> models = new ArrayList<>(MODELS.values());
        MODELS.clear();
        models.forEach(SentimentModel::close);
    }
}
