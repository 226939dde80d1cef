package dev.reviewscore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchProgressTest {

    @Test
    void saysWhatItMeasuresWhenItStartsAndAgainWhileItRuns() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (BenchProgress progress = new BenchProgress(err, Duration.ofMillis(100))) {
            progress.step("5. evaluation: table 1 of 2, 1,000,000 rows: evaluating");
            Thread.sleep(450);
            progress.step("5. evaluation: table 2 of 2, 10,000,000 rows: evaluating");
        }
        List<String> lines = Arrays.asList(bytes.toString(StandardCharsets.UTF_8).split("\n"));
        assertTrue(lines.get(0).startsWith("bench: 5. evaluation: table 1 of 2, 1,000,000 rows: evaluating ("),
                lines.toString());
        long still = lines.stream().filter(l -> l.startsWith("bench: still 5. evaluation: table 1 of 2")).count();
        assertTrue(still >= 2 && still <= 6, "a line per 100 ms of a 450 ms step: " + lines);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("bench: 5. evaluation: table 2 of 2")).count());
    }
}
