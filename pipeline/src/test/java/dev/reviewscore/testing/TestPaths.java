package dev.reviewscore.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the project's files and the team's shared data are, from a test's point of view. */
public final class TestPaths {
    private TestPaths() {}

    /** The project's root folder (the one holding conf/ and models/). */
    public static Path project() {
        String configured = System.getProperty("reviewscore.projectDir");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("conf/local.conf"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the project root (a folder with conf/local.conf)");
        }
        return dir.toAbsolutePath().normalize();
    }

    /** The bundled default model. */
    public static Path defaultModel() {
        return project().resolve("models/movie-sentiment");
    }

    /** The bundled sample reviews. */
    public static Path sampleReviews() {
        return project().resolve("sample-data/reviews.csv");
    }

    /** A small fixture model folder made by src/test/resources/models/make_fixture_models.py. */
    public static Path fixtureModel(String name) {
        return project().resolve("pipeline/src/test/resources/models").resolve(name);
    }

    /** Copies the files of a (flat) folder into {@code target}, created if needed; returns {@code target}. */
    public static Path copyFolder(Path folder, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }

    /** The module's build folder (pipeline/target), where {@code mvn package} puts the application jars. */
    public static Path buildDir() {
        String configured = System.getProperty("reviewscore.buildDir");
        return configured != null ? Path.of(configured) : project().resolve("pipeline/target");
    }

    /**
     * The application jar with this classifier ({@code app}, {@code app-spark35}, {@code databricks}), built by
     * {@code mvn package} before the *IT tests run.
     */
    public static Path appJar(String classifier) throws IOException {
        try (Stream<Path> files = Files.list(buildDir())) {
            return files.filter(f -> f.getFileName().toString().matches("reviewscore-pipeline-.*-" + classifier
                    + "\\.jar")).findFirst().orElseThrow(() -> new IllegalStateException("no " + classifier
                    + " jar in " + buildDir() + ": run mvn package (or mvn verify) first"));
        }
    }

    /** The team's shared labeled data (../shared/data next to the project). */
    public static Path sharedData() {
        return project().resolve("../shared/data").normalize();
    }
}
