package dev.reviewscore.sink;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The Hadoop configuration a Spark session's settings give, read through the public {@code RuntimeConfig} (which a
 * Spark Connect session also has), for reading and writing files outside Spark: model URIs, reports.
 */
public final class HadoopSettings {
    private static final String SPARK_HADOOP = "spark.hadoop.";

    private HadoopSettings() {}

    /**
     * The defaults on the classpath, then every {@code spark.hadoop.*} setting without its prefix, then every setting
     * of the session as it is, as Spark's {@code SessionState.newHadoopConf} copies them. Settings made directly on
     * the SparkContext's own Hadoop configuration are not among them.
     */
    public static Configuration of(SparkSession spark) {
        Configuration conf = new Configuration();
        var settings = spark.conf().getAll();
        var prefixed = settings.iterator();
        while (prefixed.hasNext()) {
            var setting = prefixed.next();
            if (setting._1().startsWith(SPARK_HADOOP)) {
                conf.set(setting._1().substring(SPARK_HADOOP.length()), setting._2());
            }
        }
        var all = settings.iterator();
        while (all.hasNext()) {
            var setting = all.next();
            conf.set(setting._1(), setting._2());
        }
        return conf;
    }
}
