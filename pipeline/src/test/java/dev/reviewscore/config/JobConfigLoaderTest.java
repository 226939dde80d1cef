package dev.reviewscore.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.scoring.ReviewSentiment;
import dev.reviewscore.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigLoaderTest {
    private static final String MINIMAL = """
            source { format = csv, path = reviews.csv }
            model.location = models/m
            output {
              scored.path = out/scored
              rejects.path = out/rejects
              metrics.table = sentiment.metrics
              reports = out/reports
            }
            """;

    private final JobConfigLoader loader = new JobConfigLoader(Path.of("/base"));

    @Test
    void loadsTheBundledLocalConfiguration() {
        JobConfig config = new JobConfigLoader(TestPaths.project()).load(Path.of("conf/local.conf"), List.of())
                .config();
        assertEquals(SourceFormat.CSV, config.source().format());
        assertEquals(TestPaths.sampleReviews().toString(), config.source().location().path());
        assertEquals("review", config.source().columns().text());
        assertEquals(List.of("movie", "review_date", "stars"), config.source().columns().passThrough());
        assertEquals(TestPaths.defaultModel().toString(), config.model().location());
        assertEquals("true", config.source().options().get("header"));
        assertEquals("local[*]", config.spark().get("spark.master"));
        assertFalse(config.scoring().full());
        assertEquals(15, config.scoring().progressSeconds());
    }

    @Test
    void appliesDefaultsAndResolvesRelativePathsAgainstTheBaseDirectory() {
        JobConfig config = loader.loadText(MINIMAL).config();
        assertEquals("/base/reviews.csv", config.source().location().path());
        assertEquals("/base/models/m", config.model().location());
        assertEquals(TableLocation.named("sentiment.metrics"), config.output().metrics());
        assertEquals(8, config.model().batchSize());
        assertEquals(LongTextPolicy.HEAD_TAIL, config.model().longText());
        assertEquals(DeviceChoice.AUTO, config.model().device());
        assertNull(config.model().maxLength());
        assertEquals(LabelKind.AUTO, config.source().labels().kind());
        assertEquals(7.0, config.source().labels().starsPositiveMin());
    }

    @Test
    void theModelBuilderAndTheSparkMlStageStartFromTheJobsDefaults() {
        ModelConfig job = loader.loadText(MINIMAL).config().model();
        assertEquals(job, ModelConfig.builder().location("/base/models/m").build());
        assertEquals(job, new ReviewSentiment().setModelLocation("/base/models/m").modelConfig());
        assertEquals(64, job.toBuilder().batchSize(64).build().batchSize());
        assertEquals(job, job.toBuilder().build());
    }

    @Test
    void aJobWithoutAModelFailsNamingTheKey() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL.replace("model.location = models/m", "")));
        assertTrue(e.getMessage().contains("model.location") && e.getMessage().contains("models/movie-sentiment"),
                e.getMessage());
    }

    @Test
    void keepsUrisAsTheyAre() {
        JobConfig config = loader.loadText(MINIMAL + "model.location = \"s3a://bucket/models/m\"").config();
        assertEquals("s3a://bucket/models/m", config.model().location());
    }

    @Test
    void overridesWinOverTheFileAndAreTyped(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("job.conf"), MINIMAL);
        JobConfig config = new JobConfigLoader(dir).load(file, List.of("model.batch-size=64",
                "model.location=s3a://bucket/m", "source.columns.pass-through=[a, b]", "scoring.full=true",
                "model.long-text=windows")).config();
        assertEquals(64, config.model().batchSize());
        assertEquals("s3a://bucket/m", config.model().location());
        assertEquals(List.of("a", "b"), config.source().columns().passThrough());
        assertTrue(config.scoring().full());
        assertEquals(LongTextPolicy.WINDOWS, config.model().longText());
    }

    @Test
    void rejectsAnInvalidValueNamingTheKeyTheValueAndTheFix() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "model.batch-size = 0"));
        assertEquals("Invalid configuration: model.batch-size = 0. Fix: use a whole number from 1 to 4096 "
                + "(8 is a good start on CPU) (in the configuration file, or with --conf model.batch-size=...).",
                e.getMessage());
    }

    @Test
    void rejectsAnUnknownEnumValueListingTheAllowedOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "model.long-text = middle"));
        assertEquals("Invalid configuration: model.long-text = \"middle\". Fix: use one of head, head-tail, "
                + "windows (in the configuration file, or with --conf model.long-text=...).", e.getMessage());
    }

    @Test
    void rejectsAnUnknownKeyAndSuggestsTheClosestOne() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "model.batchsize = 8"));
        assertEquals("Unknown configuration key model.batchsize (in (text)). Did you mean model.batch-size? "
                + "Fix: remove it or correct its name; docs/configuration.md lists every key.", e.getMessage());
    }

    @Test
    void passesSparkAndReaderOptionsThroughWithoutCheckingTheirNames() {
        JobConfig config = loader.loadText(MINIMAL + """
                spark.sql.shuffle.partitions = 7
                source.options.someReaderOption = x
                """).config();
        assertEquals("7", config.spark().get("spark.sql.shuffle.partitions"));
        assertEquals("x", config.source().options().get("someReaderOption"));
    }

    @Test
    void requiresExactlyOneOfPathAndTable() {
        InvalidInputException both = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "source.table = db.reviews"));
        assertTrue(both.getMessage().startsWith("Invalid configuration: source.table = \"db.reviews\". Fix: set only "
                + "one of source.path and source.table"), both.getMessage());
        InvalidInputException neither = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "output.scored.path = null"));
        assertTrue(neither.getMessage().startsWith("Invalid configuration: output.scored.path = (not set). Fix: set "
                + "output.scored.path (a Delta table folder) or output.scored.table"), neither.getMessage());
    }

    @Test
    void rejectsColumnsMappedTwice() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> loader.loadText(MINIMAL + "source.columns { label = text }"));
        assertTrue(e.getMessage().startsWith("Invalid configuration: source.columns.label = \"text\". Fix: the label "
                + "column must differ from the id and text columns"), e.getMessage());
    }

    @Test
    void failsClearlyForAMissingFileAndBadSyntax(@TempDir Path dir) throws Exception {
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> new JobConfigLoader(dir).load(Path.of("nope.conf"), List.of()));
        assertEquals("Configuration file " + dir.resolve("nope.conf") + " not found. Fix: pass --config with the "
                + "path of a job configuration (conf/local.conf is the bundled example).", missing.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.conf"), "model { location = \n");
        InvalidInputException syntax = assertThrows(InvalidInputException.class,
                () -> new JobConfigLoader(dir).load(broken, List.of()));
        assertTrue(syntax.getMessage().startsWith("Cannot parse configuration file " + broken), syntax.getMessage());
    }

    @Test
    void rejectsAnOverrideWithoutEquals(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("job.conf"), MINIMAL);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new JobConfigLoader(dir).load(file, List.of("model.batch-size")));
        assertEquals("Invalid override \"model.batch-size\". Fix: write it as key=value, for example "
                + "--conf model.batch-size=64.", e.getMessage());
    }

    @Test
    void redactsSecretLookingSettingsAndCredentialsInUris() {
        JobConfigLoader.Loaded loaded = loader.loadText(MINIMAL + """
                spark.hadoop.fs.s3a.secret.key = hunter2
                spark.hadoop.fs.s3a.access.key = AKIA123
                source.options.password = pw
                source.options.user = alice
                model.location = "s3a://alice:hunter2@bucket/m"
                """);
        assertEquals("****", loaded.settings().get("spark.hadoop.fs.s3a.secret.key"));
        assertEquals("****", loaded.settings().get("spark.hadoop.fs.s3a.access.key"));
        assertEquals("****", loaded.settings().get("source.options.password"));
        assertEquals("alice", loaded.settings().get("source.options.user"));
        assertEquals("s3a://****@bucket/m", loaded.settings().get("model.location"));
        assertFalse(loaded.settings().toString().contains("hunter2"));
        assertFalse(loaded.settings().toString().contains("AKIA123"));
    }
}
