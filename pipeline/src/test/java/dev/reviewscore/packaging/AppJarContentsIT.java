package dev.reviewscore.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.testing.TestPaths;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the application jars may hold. A cluster's own libraries win over an application's, so a jar that bundles
 * what the cluster also ships (the Scala library, ANTLR, a second Delta on Databricks) or carries a third-party
 * package under its own name (Typesafe Config, Gson, Commons Compress) breaks on some clusters and not on others.
 * Every entry must be the project's own, relocated under {@code dev/reviewscore/shaded/}, DJL and JNA (whose native
 * libraries bind to their class names, so they keep them), DJL's native libraries and resources, or, in the
 * open-source jar only, an entry of the Delta jars the build depends on.
 */
class AppJarContentsIT {
    private static final List<String> ALLOWED = List.of(
            "META-INF/", "dev/reviewscore/", "ai/djl/", "com/sun/jna/", "jnilib/", "native/lib/linux-x86_64/",
            "pytorch/cpu/linux-x86_64/", "pytorch-engine.properties", "nlp/", "cv/",
            // parent folders of the above
            "ai/", "com/", "com/sun/", "dev/", "native/", "native/lib/", "pytorch/", "pytorch/cpu/");

    /** Every entry of the Delta jars on the test classpath (the ones the open-source jar bundles). */
    private static Set<String> deltaEntries() throws IOException {
        Set<String> entries = new HashSet<>();
        int jars = 0;
        for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(element).getFileName().toString();
            if (name.startsWith("delta-spark_") || name.startsWith("delta-storage-")) {
                try (JarFile jar = new JarFile(element)) {
                    jar.stream().forEach(entry -> entries.add(entry.getName()));
                }
                jars++;
            }
        }
        assertEquals(2, jars, "delta-spark and delta-storage on the test classpath");
        return entries;
    }

    /** Entries outside the allowed set, grouped by their first three path segments, with a count. */
    private static TreeMap<String, Long> unexpected(Path jarPath, Set<String> alsoAllowed) throws IOException {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            return jar.stream().map(entry -> entry.getName())
                    .filter(name -> ALLOWED.stream().noneMatch(name::startsWith) && !alsoAllowed.contains(name))
                    .collect(Collectors.groupingBy(name -> String.join("/", List.of(name.split("/")).subList(0,
                            Math.min(3, name.split("/").length))), TreeMap::new, Collectors.counting()));
        }
    }

    private static Set<String> entries(Path jarPath) throws IOException {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            return jar.stream().map(entry -> entry.getName()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void theOpenSourceJarHoldsTheJobDjlAndDeltaAndNothingAClusterAlsoShipsUnderItsOwnName() throws IOException {
        Path jar = TestPaths.appJar("app");
        assertEquals(new TreeMap<>(), unexpected(jar, deltaEntries()), jar + " holds unexpected entries");
        Set<String> entries = entries(jar);
        assertTrue(entries.contains("io/delta/tables/DeltaTable.class"), "Delta is bundled");
        assertRunnable(entries);
    }

    @Test
    void theDatabricksJarLeavesDeltaToTheRuntime() throws IOException {
        Path jar = TestPaths.appJar("databricks");
        assertEquals(new TreeMap<>(), unexpected(jar, Set.of()), jar + " holds unexpected entries");
        Set<String> entries = entries(jar);
        assertTrue(entries.stream().noneMatch(name -> name.startsWith("io/delta/")
                || name.startsWith("org/apache/spark/")), "no Delta classes");
        assertRunnable(entries);
    }

    /** The entry point, the relocated libraries it needs, libtorch and the tokenizer's native library. */
    private static void assertRunnable(Set<String> entries) {
        for (String required : List.of("dev/reviewscore/cli/Main.class",
                "dev/reviewscore/shaded/picocli/CommandLine.class",
                "dev/reviewscore/shaded/typesafe/config/ConfigFactory.class",
                "dev/reviewscore/shaded/gson/Gson.class", "pytorch/cpu/linux-x86_64/libtorch_cpu.so",
                "native/lib/linux-x86_64/cpu/libtokenizers.so", "jnilib/linux-x86_64/cpu/libdjl_torch.so",
                "dev/reviewscore/config/defaults.conf")) {
            assertTrue(entries.contains(required), "missing " + required);
        }
    }
}
