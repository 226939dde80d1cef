package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.reviewscore.job.Sessions;
import dev.reviewscore.config.DeviceChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU assignment on a CPU-only machine: a real multi-JVM Spark cluster on this machine ({@code local-cluster}, one
 * worker with two cores) whose worker and executor announce two GPUs through a resource discovery script, one GPU
 * per task. The executor's own decision, told that the engine sees two GPUs, must give each task the GPU Spark gave
 * it (not GPU 0 for everyone); asked of the engine itself, it must fall back to the CPU, as this machine has none.
 * (Plain {@code local[n]} mode does not schedule tasks that ask for GPUs: such a job waits forever.)
 */
class GpuAssignmentIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void eachTaskGetsTheGpuSparkAssignedIt() throws Exception {
        Path script = Files.writeString(dir.resolve("discover-gpus.sh"),
                "#!/bin/bash\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        Files.writeString(Path.of(System.getenv("SPARK_HOME"), "RELEASE"), "");
        SparkSession spark = Sessions.create(Map.of("spark.master", "local-cluster[1,2,1536]",
                "spark.ui.enabled", "false", "spark.driver.host", "127.0.0.1",
                "spark.executor.extraClassPath", System.getProperty("java.class.path"),
                "spark.worker.resource.gpu.amount", "2",
                "spark.worker.resource.gpu.discoveryScript", script.toString(),
                "spark.executor.resource.gpu.amount", "2",
                "spark.executor.resource.gpu.discoveryScript", script.toString(),
                "spark.task.resource.gpu.amount", "1"));
        try {
            MapPartitionsFunction<Long, String> probe = rows -> {
                String assigned = TaskDevice.assignedGpu(TaskContext.get());
                Device withGpus = TaskDevice.forCurrentTask(DeviceChoice.AUTO, () -> 2);
                Device here = TaskDevice.forCurrentTask(DeviceChoice.AUTO);
                Thread.sleep(300);
                return List.of(assigned + "|" + withGpus + "|" + here).iterator();
            };
            List<String> tasks = spark.range(0, 8, 1, 8).mapPartitions(probe, Encoders.STRING()).collectAsList();
            Set<String> assigned = new HashSet<>();
            for (String task : tasks) {
                String[] fields = task.split("\\|");
                assertTrue(fields[0].equals("0") || fields[0].equals("1"), "assigned GPU: " + task);
                assertEquals(Device.gpu(Integer.parseInt(fields[0])).toString(), fields[1], task);
                assertEquals(Device.cpu().toString(), fields[2], "no CUDA engine on this machine: " + task);
                assigned.add(fields[0]);
            }
            assertEquals(Set.of("0", "1"), assigned, "tasks ran on both GPUs, not all on GPU 0");
        } finally {
            spark.stop();
        }
    }
}
