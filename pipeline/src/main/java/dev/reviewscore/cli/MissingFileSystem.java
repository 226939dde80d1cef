package dev.reviewscore.cli;

import dev.reviewscore.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * A location whose Hadoop file system is not on the class path (an {@code s3a://} path on a machine without
 * hadoop-aws). Hadoop reports it deep in a stack trace, as {@code Class org.apache.hadoop.fs.s3a.S3AFileSystem not
 * found} when its defaults name the implementation, else as {@code No FileSystem for scheme "x"}. This names the
 * scheme and the library that provides it, as a user error.
 */
final class MissingFileSystem {
    private static final Pattern MISSING_CLASS = Pattern.compile("Class ([\\w.$]+FileSystem) not found");
    private static final Pattern SCHEME = Pattern.compile("scheme \"?([A-Za-z][A-Za-z0-9+.-]*)\"?");
    private static final String HADOOP_VERSION = " (the same version as the Hadoop of your Spark)";

    /** A file system: its URI schemes, its implementation class, and the library that provides it. */
    private record Known(List<String> schemes, String implementation, String library) {}

    private static final List<Known> KNOWN = List.of(
            new Known(List.of("s3a"), "org.apache.hadoop.fs.s3a.S3AFileSystem", "org.apache.hadoop:hadoop-aws"
                    + HADOOP_VERSION + " with the AWS SDK bundle it names (software.amazon.awssdk:bundle)"),
            new Known(List.of("abfs", "abfss"), "org.apache.hadoop.fs.azurebfs.AzureBlobFileSystem",
                    "org.apache.hadoop:hadoop-azure" + HADOOP_VERSION),
            new Known(List.of("wasb", "wasbs"), "org.apache.hadoop.fs.azure.NativeAzureFileSystem",
                    "org.apache.hadoop:hadoop-azure" + HADOOP_VERSION),
            new Known(List.of("gs"), "com.google.cloud.hadoop.fs.gcs.GoogleHadoopFileSystem",
                    "com.google.cloud.bigdataoss:gcs-connector (its hadoop3 build)"),
            new Known(List.of("s3"), "com.amazon.ws.emr.hadoop.fs.EmrFileSystem",
                    "EMRFS, which only EMR clusters have; elsewhere use s3a:// with org.apache.hadoop:hadoop-aws"));

    private MissingFileSystem() {}

    /** The user error to report instead of {@code failure}, when a missing file system caused it. */
    static Optional<InvalidInputException> explain(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            Matcher missingClass = MISSING_CLASS.matcher(message);
            if (cause instanceof ClassNotFoundException && missingClass.find()) {
                String implementation = missingClass.group(1);
                Known known = KNOWN.stream().filter(k -> k.implementation().equals(implementation)).findFirst()
                        .orElse(new Known(List.of("?"), implementation, "the library that holds " + implementation));
                return Optional.of(error(String.join(":// or ", known.schemes()), message, known.library(), failure));
            }
            Matcher scheme = SCHEME.matcher(message);
            if (cause instanceof UnsupportedFileSystemException && scheme.find()) {
                String name = scheme.group(1).toLowerCase(Locale.ROOT);
                String library = KNOWN.stream().filter(k -> k.schemes().contains(name)).map(Known::library)
                        .findFirst().orElse("the Hadoop file system for " + name + "://");
                return Optional.of(error(name, message, library, failure));
            }
        }
        return Optional.empty();
    }

    private static InvalidInputException error(String schemes, String found, String library, Throwable failure) {
        return new InvalidInputException("No Hadoop file system for " + schemes + ":// locations on this machine's "
                + "class path (" + found + "). It comes from " + library + ". Fix: add it to the job, for example "
                + "with spark-submit --packages or --jars, or use a location this machine can read.", failure);
    }
}
