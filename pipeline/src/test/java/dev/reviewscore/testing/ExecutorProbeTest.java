package dev.reviewscore.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The network recorder the cluster tests rely on does see a JVM's URL connections. */
class ExecutorProbeTest {
    @Test
    void recordsAUrlConnectionAttempt() {
        ExecutorProbe.record();
        assertThrows(IOException.class, () -> URI.create("http://127.0.0.1:9/probe").toURL().openConnection()
                .getInputStream());
        assertTrue(ExecutorProbe.opened().contains("http://127.0.0.1:9/probe"), ExecutorProbe.opened().toString());
    }
}
