package dev.reviewscore.cli;

import java.util.Map;
import java.util.Properties;

/**
 * Who owns the driver's JVM, which decides how the job may end. A driver that is its own process exits with the
 * job's exit code. A driver hosted by a platform must return on success and throw on failure: Spark's YARN
 * ApplicationMaster reports a {@code System.exit} before the user class returns as a failed attempt ("Shutdown hook
 * called before final status was reported") and starts another, and a Databricks JAR task must leave the JVM and its
 * shared Spark context to the platform.
 */
public enum DriverHost {
    /** Its own process: a local run, {@code spark-submit} in client mode, Kubernetes' driver pod, standalone. */
    OWN_PROCESS,
    /** Spark's ApplicationMaster on YARN ({@code --deploy-mode cluster}, as EMR steps run). */
    YARN_APPLICATION_MASTER,
    /** A Databricks JAR task or notebook: the runtime sets {@code DATABRICKS_RUNTIME_VERSION}. */
    DATABRICKS;

    /**
     * @param environment the process environment
     * @param properties the JVM's system properties (Spark's ApplicationMaster copies the application's Spark
     *     settings there, {@code spark.submit.deployMode=cluster} among them, before it starts the user class)
     */
    public static DriverHost detect(Map<String, String> environment, Properties properties) {
        if (environment.containsKey("DATABRICKS_RUNTIME_VERSION")) {
            return DATABRICKS;
        }
        boolean yarn = properties.getProperty("spark.master", "").startsWith("yarn");
        boolean cluster = "cluster".equals(properties.getProperty("spark.submit.deployMode"));
        return yarn && cluster ? YARN_APPLICATION_MASTER : OWN_PROCESS;
    }
}
