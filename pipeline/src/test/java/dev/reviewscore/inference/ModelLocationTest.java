package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.RunInfo;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.scoring.ScoringJob;
import dev.reviewscore.scoring.ScoringResult;
import dev.reviewscore.sink.DeltaTables;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models kept where clusters keep files: Hadoop FileSystem URIs, copied once per machine and checked by hash. */
class ModelLocationTest {
    private static final String LOCAL_VERSION = ModelBundle.open(TestPaths.defaultModel()).version();

    @TempDir
    Path dir;

    private Path shelf() throws IOException {
        return TestPaths.copyFolder(TestPaths.defaultModel(), dir.resolve("shelf/movie-sentiment"));
    }

    /** A second Hadoop file system over local disk: a view file system mounting the shelf at viewfs://models/. */
    private Configuration viewFs() {
        Configuration conf = new Configuration();
        conf.set("fs.viewfs.mounttable.models.link./shelf", dir.resolve("shelf").toUri().toString());
        return conf;
    }

    @Test
    void aFileUriIsCopiedToTheCacheAndKeepsItsVersion() throws IOException {
        String uri = shelf().toUri().toString();
        ModelBundle bundle = ModelLocation.open(uri, new Configuration());
        assertEquals(uri, bundle.location());
        assertEquals(LOCAL_VERSION, bundle.version());
        assertEquals(ModelLocation.cacheRoot().resolve(LOCAL_VERSION).toString(), bundle.directory());
        assertEquals(bundle.path(), ModelLocation.localFolder(bundle, new Configuration()));
    }

    @Test
    void aViewFileSystemUriWorksTheSameWay() throws IOException {
        shelf();
        ModelBundle bundle = ModelLocation.open("viewfs://models/shelf/movie-sentiment", viewFs());
        assertEquals("viewfs://models/shelf/movie-sentiment", bundle.location());
        assertEquals(LOCAL_VERSION, bundle.version());
    }

    @Test
    void filesChangedAfterPlanningAreRefused() throws IOException {
        Path shelf = shelf();
        ModelBundle planned = ModelLocation.open(shelf.toUri().toString(), new Configuration());
        Files.writeString(shelf.resolve("config.json"), "\n", StandardOpenOption.APPEND);
        ModelBundle stale = new ModelBundle(planned.location(), planned.directory(), planned.name(),
                "0000000000000000", planned.torchScript(), planned.labels(), planned.maxPositions(),
                planned.tokenTypes(), planned.multiLabel(), planned.vocabularySize());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelLocation.localFolder(stale, new Configuration()));
        assertTrue(e.getMessage().startsWith("The model files at " + planned.location() + " have version "),
                e.getMessage());
        assertTrue(e.getMessage().contains("they changed while the job ran"), e.getMessage());
    }

    @Test
    void aMissingUriSaysSo() {
        String uri = dir.resolve("nothing-here").toUri().toString();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ModelLocation.open(uri, new Configuration()));
        assertTrue(e.getMessage().startsWith("Model location " + uri + " does not exist."), e.getMessage());
    }

    @Test
    void aJobScoresWithAModelOnAViewFileSystem() throws IOException {
        // The driver opens the model through the job's spark.hadoop settings, the local executor through the
        // session's Hadoop configuration (and finds the driver's copy in the shared cache); ClusterIT checks
        // executors of their own copying a model from its URI.
        shelf();
        SparkSession spark = TestSpark.session();
        // another mount table name than the test above: Hadoop caches a file system per scheme and authority
        spark.sparkContext().hadoopConfiguration().set("fs.viewfs.mounttable.executors.link./shelf",
                dir.resolve("shelf").toUri().toString());
        spark.createDataFrame(List.of(RowFactory.create("1", "A wonderful film."), RowFactory.create("2", "Dreadful.")),
                new StructType().add("id", DataTypes.StringType).add("text", DataTypes.StringType))
                .write().format("delta").save(dir.resolve("source").toString());
        JobConfig config = new JobConfigLoader(dir).loadText("""
                source.path = source
                model.location = "viewfs://executors/shelf/movie-sentiment"
                output { scored.path = scored, rejects.path = rejects, metrics.path = metrics, reports = reports }
                spark.hadoop.fs.viewfs.mounttable.executors.link./shelf = "%s"
                """.formatted(dir.resolve("shelf").toUri())).config();
        ModelBundle bundle = ModelLocation.open(config.model().location(),
                ModelLocation.hadoopConfiguration(config.spark()));
        ScoringResult result = new ScoringJob(spark, config, bundle, RunInfo.start()).execute();
        assertEquals(2, result.scored());
        assertEquals(LOCAL_VERSION, DeltaTables.read(spark, config.output().scored()).first().getAs("model_version"));
    }
}
