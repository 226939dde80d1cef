package dev.reviewscore.cli;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the job's SparkSession. Settings given by spark-submit (or a cluster's defaults) win over the job
 * configuration's {@code spark.*} settings, which win over the defaults here: Delta's SQL extension and catalog,
 * DJL kept offline on executors, no console progress bar (the job reports its own progress), and {@code local[*]}
 * when no master is set at all.
 */
public final class Sessions {
    private static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";

    private Sessions() {}

    /**
     * @param settings {@code spark.*} settings from the job configuration
     * @return the session (the existing one, if the application already has one)
     */
    public static SparkSession create(Map<String, String> settings) {
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
