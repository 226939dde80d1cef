package dev.reviewscore.job;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The job's SparkSession. A session that already exists (a platform's, such as a Databricks cluster's, or a
 * notebook's) is used exactly as it is: its catalog, extensions and SQL settings are the platform's, so the job
 * configuration's {@code spark.*} settings are not applied to it (a warning lists those that differ). Otherwise a new
 * session is built: settings given by spark-submit (or a cluster's defaults) win over the job configuration's
 * {@code spark.*} settings, which win over the defaults here: Delta's SQL extension and catalog, DJL kept offline on
 * executors, no console progress bar (the job reports its own progress), and {@code local[*]} when no master is set.
 */
public final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

    private Sessions() {}

    /** The session this thread or application already has, if any. */
    public static Option<SparkSession> existing() {
        Option<SparkSession> active = SparkSession.getActiveSession();
        return active.isDefined() ? active : SparkSession.getDefaultSession();
    }

    /**
     * @param settings {@code spark.*} settings from the job configuration
     * @return the existing session, unchanged, or a new one
     */
    public static SparkSession create(Map<String, String> settings) {
        Option<SparkSession> existing = existing();
        if (existing.isDefined()) {
            SparkSession session = existing.get();
            Map<String, String> notApplied = new TreeMap<>();
            settings.forEach((key, value) -> {
                if (!value.equals(session.conf().get(key, null))) {
                    notApplied.put(key, value);
                }
            });
            if (!notApplied.isEmpty()) {
                LOG.warn("Using the existing Spark session as it is; these settings of the job configuration differ "
                        + "from it and were not applied (set them on the cluster or session instead): {}",
                        notApplied.keySet());
            }
            return session;
        }
        SparkConf submitted = new SparkConf();
        SparkSession.Builder builder = SparkSession.builder().appName("reviewscore");
        settings.forEach((key, value) -> {
            if (!submitted.contains(key)) {
                builder.config(key, value);
            }
        });
        setDefault(builder, submitted, settings, "spark.master", "local[*]");
        String extensions = settings.getOrDefault("spark.sql.extensions",
                submitted.get("spark.sql.extensions", ""));
        if (!extensions.contains(DELTA_EXTENSION)) {
            builder.config("spark.sql.extensions",
                    extensions.isBlank() ? DELTA_EXTENSION : extensions + "," + DELTA_EXTENSION);
        }
        setDefault(builder, submitted, settings, "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        setDefault(builder, submitted, settings, "spark.executorEnv.DJL_OFFLINE", "true");
        setDefault(builder, submitted, settings, "spark.executorEnv.OPT_OUT_TRACKING", "true");
        setDefault(builder, submitted, settings, "spark.ui.showConsoleProgress", "false");
        return builder.getOrCreate();
    }

    private static void setDefault(SparkSession.Builder builder, SparkConf submitted, Map<String, String> settings,
                                   String key, String value) {
        if (!submitted.contains(key) && !settings.containsKey(key)) {
            builder.config(key, value);
        }
    }
}
