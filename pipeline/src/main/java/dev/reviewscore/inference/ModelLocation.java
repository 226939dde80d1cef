package dev.reviewscore.inference;

import dev.reviewscore.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a model folder lives. A plain path is used where it is; a Hadoop FileSystem URI ({@code s3a:}, {@code abfss:},
 * {@code gs:}, {@code hdfs:}, {@code dbfs:}, {@code file:}, ...) is copied once per machine to local disk, into a
 * cache folder named by the model's content hash, and loaded from there. A copy is checked against the hash the
 * driver planned with before it is used, and it appears under its final name in one atomic move, so executors that
 * share a machine never see half a model.
 */
public final class ModelLocation {
    private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");

    private ModelLocation() {}

    /** Whether the location is a Hadoop FileSystem URI rather than a local path. */
    public static boolean isUri(String location) {
        return URI_SCHEME.matcher(location).matches();
    }

    private static final String SPARK_HADOOP = "spark.hadoop.";

    /** Where copies are kept: {@code <java.io.tmpdir>/reviewscore-models/<version>}. */
    static Path cacheRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "reviewscore-models");
    }

    /**
     * A Hadoop configuration for reading models before Spark starts: the defaults on the classpath, then
     * {@code spark.hadoop.*} settings from the system properties (as spark-submit passes them) and from the job.
     *
     * @param sparkSettings the job's {@code spark.*} settings
     */
    public static Configuration hadoopConfiguration(Map<String, String> sparkSettings) {
        Configuration conf = new Configuration();
        System.getProperties().forEach((key, value) -> {
            if (key.toString().startsWith(SPARK_HADOOP)) {
                conf.set(key.toString().substring(SPARK_HADOOP.length()), value.toString());
            }
        });
        sparkSettings.forEach((key, value) -> {
            if (key.startsWith(SPARK_HADOOP)) {
                conf.set(key.substring(SPARK_HADOOP.length()), value);
            }
        });
        return conf;
    }

    /**
     * Opens a model folder on the driver: in place for a local path, from a fresh local copy for a URI.
     *
     * @throws InvalidInputException when the folder cannot be read or breaks the model contract
     */
    public static ModelBundle open(String location, Configuration conf) {
        if (!isUri(location)) {
            return ModelBundle.open(Path.of(location));
        }
        Path download = download(location, conf);
        String version = ModelBundle.contentHash(download);
        Path local = install(download, version);
        return ModelBundle.open(local).at(location);
    }

    /**
     * The local folder holding a bundle's files on this machine: the bundle's own folder for a local path, else the
     * cached copy of its URI, made now if this machine has none.
     *
     * @throws InvalidInputException when the files at the URI no longer have the bundle's version
     */
    public static Path localFolder(ModelBundle bundle, Configuration conf) {
        if (!isUri(bundle.location())) {
            return bundle.path();
        }
        Path cached = cacheRoot().resolve(bundle.version());
        if (Files.isDirectory(cached) && ModelBundle.contentHash(cached).equals(bundle.version())) {
            return cached;
        }
        Path download = download(bundle.location(), conf);
        String version = ModelBundle.contentHash(download);
        if (!version.equals(bundle.version())) {
            deleteQuietly(download);
            throw new InvalidInputException("The model files at " + bundle.location() + " have version " + version
                    + " now, but the job was planned with version " + bundle.version() + ": they changed while the "
                    + "job ran. Fix: publish a new model under a new location instead of overwriting one in use.");
        }
        return install(download, version);
    }

    private static Path download(String location, Configuration conf) {
        try {
            Files.createDirectories(cacheRoot());
            Path target = Files.createTempDirectory(cacheRoot(), "download-");
            org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(URI.create(location));
            FileSystem fs = folder.getFileSystem(conf);
            if (!fs.getFileStatus(folder).isDirectory()) {
                throw new InvalidInputException("Model location " + location + " is not a folder. Fix: set "
                        + "model.location to the folder holding the TorchScript file, tokenizer.json and config.json.");
            }
            for (FileStatus file : fs.listStatus(folder)) {
                if (file.isFile()) {
                    fs.copyToLocalFile(false, file.getPath(),
                            new org.apache.hadoop.fs.Path(target.resolve(file.getPath().getName()).toUri()), true);
                }
            }
            return target;
        } catch (java.io.FileNotFoundException e) {
            throw new InvalidInputException("Model location " + location + " does not exist. Fix: set model.location "
                    + "to the model folder (" + e.getMessage() + ").", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot copy the model from " + location + ": " + e.getMessage()
                    + ". Fix: check the URI and the file system's credentials (spark.hadoop.* settings).", e);
        }
    }

    /** Moves a verified download to its cache folder, unless a good copy is already there. */
    private static Path install(Path download, String version) {
        Path target = cacheRoot().resolve(version);
        if (Files.isDirectory(target)) {
            if (ModelBundle.contentHash(target).equals(version)) {
                deleteQuietly(download);
                return target;
            }
            deleteQuietly(target);
        }
        try {
            Files.move(download, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("The model cache " + cacheRoot() + " does not support atomic moves", e);
        } catch (IOException e) {
            if (!Files.isDirectory(target)) {
                throw new UncheckedIOException("Cannot move the model copy into " + target, e);
            }
            deleteQuietly(download);
        }
        return target;
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
