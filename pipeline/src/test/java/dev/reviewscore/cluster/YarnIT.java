package dev.reviewscore.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reviewscore.job.Sessions;
import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar submitted to a real YARN (Hadoop's MiniYARNCluster: a ResourceManager and a NodeManager in
 * this JVM, every container a JVM of its own) with Spark's SparkSubmit in a child process, in cluster deploy mode (the
 * driver inside Spark's ApplicationMaster, as EMR steps run) and in client mode. The spark-submit options are the ones
 * conf/emr.conf documents, read from that file; the model is read from HDFS (a MiniDFSCluster), as from any Hadoop
 * URI. YARN is left at its default of two attempts per application, so a run that ended badly would show a retry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YarnIT {
    private static MiniDFSCluster hdfs;
    private static MiniYARNCluster yarn;
    private static YarnClient client;
    private static Path hadoopConf;
    private static String modelUri;
    private static SparkSession spark;

    @TempDir
    static Path dir;

    /** What one spark-submit did: its exit code and output, and the YARN application it ran. */
    private record Submission(int exitCode, String output, ApplicationId application) {}

    @BeforeAll
    static void startClusters() throws Exception {
        hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.resolve("hdfs").toFile()).numDataNodes(1).build();
        hdfs.waitClusterUp();
        FileSystem fs = hdfs.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestPaths.defaultModel().toUri()),
                new org.apache.hadoop.fs.Path("/models/movie-sentiment"));
        modelUri = fs.getUri() + "/models/movie-sentiment";

        YarnConfiguration conf = new YarnConfiguration();
        conf.set("yarn.resourcemanager.hostname", "localhost");
        conf.setInt("yarn.nodemanager.resource.memory-mb", 8192);
        conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
        conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        conf.setInt("yarn.resourcemanager.am.max-attempts", 2);
        conf.setInt("yarn.resourcemanager.connect.max-wait.ms", 30_000);
        // one queue for everything (the capacity scheduler has none configured outside a cluster's files)
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
        yarn = new MiniYARNCluster("YarnIT", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (yarn.getConfig().get("yarn.resourcemanager.address", "").endsWith(":0")
                || yarn.getResourceManager().getRMContext().getRMNodes().isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, "YARN did not start");
            Thread.sleep(200);
        }
        hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        try (OutputStream out = Files.newOutputStream(hadoopConf.resolve("yarn-site.xml"))) {
            yarn.getConfig().writeXml(out);
        }
        client = YarnClient.createYarnClient();
        client.init(yarn.getConfig());
        client.start();
        spark = Sessions.create(Map.of("spark.master", "local[2]", "spark.ui.enabled", "false",
                "spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stopClusters() {
        if (spark != null) {
            spark.stop();
        }
        if (client != null) {
            client.stop();
        }
        if (yarn != null) {
            yarn.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /** A job configuration named like conf/emr.conf's, with this test's absolute paths. */
    /** Reports go to HDFS: in cluster mode the driver runs on a node the user does not pick. */
    private static String reportsUri(String name) throws IOException {
        return hdfs.getFileSystem().getUri() + "/reports/" + name;
    }

    private static Path jobConfig(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        String config = """
                source {
                  format = csv
                  path = "%s"
                  options { header = true, escape = "\\"", multiLine = true, inferSchema = true }
                  columns { id = review_id, text = review, label = label, pass-through = [movie] }
                  labels.kind = names
                }
                model.location = "%s"
                output {
                  scored.path = "%s"
                  rejects.path = "%s"
                  metrics.path = "%s"
                  reports = "%s"
                }
                spark.sql.shuffle.partitions = 4
                spark.databricks.delta.snapshotPartitions = 2
                """.formatted(TestPaths.sampleReviews(), modelUri, folder.resolve("scored"), folder.resolve("rejects"),
                folder.resolve("metrics"), reportsUri(name));
        return Files.writeString(folder.resolve("emr.conf"), config);
    }

    /**
     * The spark-submit command of conf/emr.conf's header, as written there, with the deploy mode, the job file to
     * ship and the jar replaced by this test's; then the job's own arguments as written, and {@code extraArgs}.
     */
    private static List<String> documentedCommand(String deployMode, Path config, List<String> extraArgs)
            throws IOException {
        List<String> lines = Files.readAllLines(TestPaths.project().resolve("conf/emr.conf"));
        StringBuilder text = new StringBuilder();
        boolean inside = false;
        for (String line : lines) {
            String content = line.replaceFirst("^#\\s*", "");
            inside |= content.startsWith("spark-submit ");
            if (inside) {
                text.append(content.replaceFirst("\\\\$", "")).append(' ');
                if (!content.endsWith("\\")) {
                    break;
                }
            }
        }
        List<String> tokens = new ArrayList<>(Arrays.asList(text.toString().trim().split("\\s+")));
        assertEquals("spark-submit", tokens.remove(0), "conf/emr.conf documents a spark-submit command");
        List<String> command = new ArrayList<>();
        boolean jobArguments = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (jobArguments) {
                command.add(token);
            } else if (token.equals("--deploy-mode")) {
                command.addAll(List.of(token, deployMode));
                i++;
            } else if (token.equals("--files")) {
                command.addAll(List.of(token, config.toString()));
                i++;
            } else if (token.endsWith(".jar")) {
                command.add(TestPaths.appJar(System.getProperty("reviewscore.appClassifier", "app")).toString());
                jobArguments = true;
            } else {
                command.add(token);
            }
        }
        assertTrue(jobArguments, "conf/emr.conf's command names the application jar");
        assertTrue(command.contains("--deploy-mode"), "conf/emr.conf's command sets the deploy mode");
        command.addAll(extraArgs);
        return command;
    }

    /** Submits the documented command to YARN and waits for the application to end. */
    private static Submission submit(String deployMode, Path config, String... extraArgs) throws Exception {
        Path sparkHome = TestPaths.project().resolve("spark-runtime/target/spark-home");
        String javaHome = System.getProperty("java.home");
        List<String> command = new ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString(), "-Xmx2g",
                "@" + TestPaths.project().resolve("conf/jvm-options"),
                "-Dlog4j2.configurationFile=file:" + TestPaths.project().resolve("conf/log4j2.properties"),
                // as Spark's launcher does: the Hadoop configuration folder first on the class path
                "-cp", hadoopConf + java.io.File.pathSeparator + sparkHome.resolve("jars") + "/*",
                "org.apache.spark.deploy.SparkSubmit",
                "--master", "yarn",
                // what a cluster has: Spark on every node, Java 17; small containers for this machine
                "--conf", "spark.yarn.jars=local:" + sparkHome.resolve("jars") + "/*",
                "--conf", "spark.yarn.stagingDir=" + dir.resolve("staging").toUri(),
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
                "--conf", "spark.driver.memory=1g", "--conf", "spark.executor.memory=1g",
                "--conf", "spark.executor.instances=1", "--conf", "spark.executor.cores=2",
                "--conf", "spark.ui.enabled=false"));
        command.addAll(documentedCommand(deployMode, config, List.of(extraArgs)));
        ProcessBuilder builder = new ProcessBuilder(command).directory(config.getParent().toFile())
                .redirectErrorStream(true).redirectOutput(config.getParent().resolve("spark-submit.log").toFile());
        builder.environment().put("HADOOP_CONF_DIR", hadoopConf.toString());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        Set<ApplicationId> before = applications();
        Process process = builder.start();
        assertTrue(process.waitFor(6, TimeUnit.MINUTES), "spark-submit did not finish");
        String output = Files.readString(config.getParent().resolve("spark-submit.log"));
        Set<ApplicationId> started = applications();
        started.removeAll(before);
        assertTrue(started.size() <= 1, "one submission, one application: " + started);
        ApplicationId application = started.isEmpty() ? null : started.iterator().next();
        if (application != null) {
            long deadline = System.currentTimeMillis() + 120_000;
            while (!List.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED, YarnApplicationState.KILLED)
                    .contains(client.getApplicationReport(application).getYarnApplicationState())) {
                assertTrue(System.currentTimeMillis() < deadline, application + " did not end");
                Thread.sleep(500);
            }
        }
        return new Submission(process.exitValue(), output, application);
    }

    private static Set<ApplicationId> applications() throws Exception {
        Set<ApplicationId> ids = new HashSet<>();
        client.getApplications().forEach(report -> ids.add(report.getApplicationId()));
        return ids;
    }

    private static void assertOneAttemptEndingIn(FinalApplicationStatus expected, Submission submission)
            throws Exception {
        assertTrue(submission.application() != null, "no YARN application in:\n" + submission.output());
        ApplicationReport report = client.getApplicationReport(submission.application());
        assertEquals(expected, report.getFinalApplicationStatus(), () -> report.getDiagnostics() + "\n"
                + containerLogs(submission.application()));
        assertEquals(1, client.getApplicationAttempts(submission.application()).size(), "attempts of "
                + submission.application());
    }

    /**
     * Everything the application's containers wrote (MiniYARNCluster keeps them under target/test/data). The node
     * manager deletes finished applications' working folders meanwhile, so files and folders that vanish during the
     * walk are skipped.
     */
    private static String containerLogs(ApplicationId application) {
        StringBuilder logs = new StringBuilder();
        try {
            Files.walkFileTree(Path.of("target", "test", "data", "YarnIT"), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (file.toString().contains(application.toString())
                            && (file.endsWith("stdout") || file.endsWith("stderr"))) {
                        try {
                            logs.append("== ").append(file).append('\n').append(Files.readString(file));
                        } catch (IOException vanished) {
                            // deleted by the node manager after the walk listed it
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path folder, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logs.toString();
    }

    private static Dataset<Row> table(Path config, String name) {
        return spark.read().format("delta").load(config.getParent().resolve(name).toString());
    }

    private static List<Double> metric(Path config, String metric) {
        return table(config, "metrics").where("metric = '" + metric + "'").orderBy("evaluated_at")
                .select("value").as(Encoders.DOUBLE()).collectAsList();
    }

    /** One run's report.md, report.json and report.html on HDFS, the JSON naming its run. */
    private static void assertReportsOnHdfs(String name) throws IOException {
        FileSystem fs = hdfs.getFileSystem();
        FileStatus[] runs = fs.listStatus(new org.apache.hadoop.fs.Path(reportsUri(name)));
        assertEquals(1, runs.length, "one run's folder of reports on HDFS");
        List<String> files = new ArrayList<>();
        for (FileStatus file : fs.listStatus(runs[0].getPath())) {
            assertTrue(file.getLen() > 0, file.getPath() + " is empty");
            files.add(file.getPath().getName());
        }
        Collections.sort(files);
        assertEquals(List.of("report.html", "report.json", "report.md"), files);
        try (var in = fs.open(new org.apache.hadoop.fs.Path(runs[0].getPath(), "report.json"))) {
            assertEquals(runs[0].getPath().getName(), new ObjectMapper().readTree(in).get("run_id").asText());
        }
        assertTrue(Files.notExists(dir.resolve(name).resolve("reports")), "no reports on the local disk");
    }

    private static void assertEveryReviewOnce(Path config) {
        Dataset<Row> scored = table(config, "scored");
        assertEquals(320, scored.count());
        assertEquals(320, scored.select("review_id").distinct().count());
    }

    @Test
    @Order(1)
    void clusterModeRunSucceedsInOneAttemptAndAQualityGateFailsIt() throws Exception {
        Path config = jobConfig("cluster");
        Submission good = submit("cluster", config);
        assertEquals(0, good.exitCode(), good.output());
        assertOneAttemptEndingIn(FinalApplicationStatus.SUCCEEDED, good);
        assertEveryReviewOnce(config);
        assertEquals(List.of(0.0), metric(config, "gates_broken"));
        assertTrue(containerLogs(good.application()).contains("Input 320 = scored 320 + rejected 0 + skipped 0"),
                "the driver's account is in the ApplicationMaster's log");
        assertReportsOnHdfs("cluster");

        Submission gate = submit("cluster", config, "--conf", "gates.min-accuracy=0.999");
        assertNotEquals(0, gate.exitCode(), "spark-submit reports the failed application");
        assertOneAttemptEndingIn(FinalApplicationStatus.FAILED, gate);
        assertTrue(client.getApplicationReport(gate.application()).getDiagnostics()
                .contains("failed with exit code 3 (a quality gate was broken"), "the diagnostics say why");
        assertEquals(List.of(0.0, 1.0), metric(config, "gates_broken"), "the broken gate is in the metrics table");
        assertEveryReviewOnce(config);
    }

    @Test
    @Order(2)
    void clusterModeConfigurationErrorFailsInOneAttemptWithTheMessageInTheDriverLog() throws Exception {
        Path config = jobConfig("cluster-bad-config");
        Submission bad = submit("cluster", config, "--conf", "model.batch-size=0");
        assertNotEquals(0, bad.exitCode());
        assertOneAttemptEndingIn(FinalApplicationStatus.FAILED, bad);
        assertTrue(containerLogs(bad.application()).contains("Error: Invalid configuration: model.batch-size = 0"),
                "the driver printed what to fix");
        assertTrue(Files.notExists(config.getParent().resolve("scored")), "nothing was written");
    }

    @Test
    @Order(3)
    void clientModeRunSucceedsAndAConfigurationErrorExitsWithTwo() throws Exception {
        Path config = jobConfig("client");
        Submission good = submit("client", config);
        assertEquals(0, good.exitCode(), good.output());
        assertTrue(good.output().contains("Input 320 = scored 320 + rejected 0 + skipped 0"), good.output());
        assertOneAttemptEndingIn(FinalApplicationStatus.SUCCEEDED, good);
        assertEveryReviewOnce(config);

        Submission bad = submit("client", config, "--conf", "model.batch-size=0");
        assertEquals(2, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("Error: Invalid configuration: model.batch-size = 0"), bad.output());
        assertTrue(bad.application() == null, "the driver stopped before it asked YARN for anything");
    }
}
