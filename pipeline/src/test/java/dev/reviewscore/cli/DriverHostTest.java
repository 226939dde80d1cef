package dev.reviewscore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DriverHostTest {
    private static Properties properties(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    @Test
    void aYarnClusterModeDriverRunsInsideTheApplicationMaster() {
        assertEquals(DriverHost.YARN_APPLICATION_MASTER, DriverHost.detect(Map.of(),
                properties("spark.master", "yarn", "spark.submit.deployMode", "cluster")));
    }

    @Test
    void clientModeLocalModeAndOtherClusterManagersAreTheirOwnProcess() {
        assertEquals(DriverHost.OWN_PROCESS, DriverHost.detect(Map.of(),
                properties("spark.master", "yarn", "spark.submit.deployMode", "client")));
        assertEquals(DriverHost.OWN_PROCESS, DriverHost.detect(Map.of(), properties("spark.master", "local[*]")));
        assertEquals(DriverHost.OWN_PROCESS, DriverHost.detect(Map.of(), properties()));
        assertEquals(DriverHost.OWN_PROCESS, DriverHost.detect(Map.of(),
                properties("spark.master", "k8s://https://api:6443", "spark.submit.deployMode", "cluster")));
    }

    @Test
    void databricksIsRecognisedByItsRuntimeVersion() {
        assertEquals(DriverHost.DATABRICKS, DriverHost.detect(Map.of("DATABRICKS_RUNTIME_VERSION", "17.3"),
                properties("spark.master", "local[8]")));
    }
}
