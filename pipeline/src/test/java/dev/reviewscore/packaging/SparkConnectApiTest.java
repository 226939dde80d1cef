package dev.reviewscore.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main code uses only what a Spark Connect session and every Delta build offer: Delta through SQL (no
 * {@code io.delta.tables}), and no SparkContext, RDD or session state. The one exception is {@code ClassicSession},
 * which asks the session for its SparkContext and does without it when the session has none.
 */
class SparkConnectApiTest {
    private static final Path MAIN = TestPaths.project().resolve("pipeline/src/main/java");
    /** Calls and imports a Spark Connect client or another Delta build lacks; comments are left out first. */
    private static final Pattern CLASSIC_ONLY = Pattern.compile(
            "io\\.delta\\.tables|\\.sparkContext\\(\\)|\\.rdd\\(\\)|\\.javaRDD\\(\\)|\\.toJavaRDD\\(\\)"
                    + "|\\.sessionState\\(\\)|\\.sharedState\\(\\)|\\.queryExecution\\(\\)|JavaSparkContext");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void mainCodeUsesNoClassicOnlySparkApiAndDeltaOnlyThroughSql() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(MAIN)) {
            for (Path file : paths.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                files++;
                String code = COMMENT.matcher(Files.readString(file)).replaceAll(" ");
                Matcher matcher = CLASSIC_ONLY.matcher(code);
                while (matcher.find()) {
                    String use = MAIN.relativize(file) + ": " + matcher.group();
                    if (!use.equals("dev/reviewscore/scoring/ClassicSession.java: .sparkContext()")) {
                        found.add(use);
                    }
                }
            }
        }
        assertTrue(files > 100, "read " + files + " files under " + MAIN);
        assertEquals(List.of(), found, "classic-only Spark or Delta Scala API in main code: use SQL, the DataFrame "
                + "API or spark.conf() instead, so that the job runs over Spark Connect and on any Delta build");
    }
}
