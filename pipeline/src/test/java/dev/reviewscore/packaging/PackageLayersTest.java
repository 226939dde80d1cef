package dev.reviewscore.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main code's packages form one-way layers, in the order data flows: a package uses only packages of lower
 * layers (the root package's exception and run id are the lowest), and each package says what it is for.
 */
class PackageLayersTest {
    /** Highest first. Packages of one layer do not use each other. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("cli"),
            Set.of("bench"),
            Set.of("job"),
            Set.of("report"),
            Set.of("gates"),
            Set.of("monitoring"),
            Set.of("scoring"),
            Set.of("evaluation"),
            Set.of("source", "inference", "sink"),
            Set.of("metrics"),
            Set.of("config"),
            Set.of(""));
    private static final Pattern REFERENCE = Pattern.compile("dev\\.reviewscore\\.(?:([a-z]+)\\.)?[A-Z]");
    private static final Path ROOT = TestPaths.project().resolve("pipeline/src/main/java/dev/reviewscore");

    @Test
    void everyPackageUsesOnlyLowerLayers() throws IOException {
        Map<String, Set<String>> uses = uses();
        assertTrue(uses.keySet().containsAll(List.of("cli", "job", "scoring", "sink", "config")), uses.keySet()
                .toString());
        List<String> wrongWay = new ArrayList<>();
        for (Map.Entry<String, Set<String>> entry : uses.entrySet()) {
            int layer = layer(entry.getKey());
            for (String used : entry.getValue()) {
                if (layer(used) <= layer) {
                    wrongWay.add(entry.getKey() + " -> " + used);
                }
            }
        }
        assertEquals(List.of(), wrongWay, "packages using a package of their own or a higher layer; the layers, "
                + "highest first: " + LAYERS);
    }

    @Test
    void everyPackageSaysWhatItIsFor() throws IOException {
        List<String> undocumented = new ArrayList<>();
        for (String name : uses().keySet()) {
            Path info = ROOT.resolve(name).resolve("package-info.java");
            if (!name.isEmpty() && !(Files.isRegularFile(info) && Files.readString(info).contains("/**"))) {
                undocumented.add(name);
            }
        }
        assertEquals(List.of(), undocumented, "packages without a package-info.java Javadoc");
    }

    /** Package name to the other packages its sources name, from the source files. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                Path folder = ROOT.relativize(file.getParent());
                String name = folder.toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(name, key -> new TreeSet<>());
                Matcher matcher = REFERENCE.matcher(Files.readString(file).replaceFirst("package [^;]*;", ""));
                while (matcher.find()) {
                    String other = matcher.group(1) == null ? "" : matcher.group(1);
                    if (!other.equals(name)) {
                        used.add(other);
                    }
                }
            }
        }
        return uses;
    }

    private static int layer(String name) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(name)) {
                return i;
            }
        }
        throw new AssertionError("package dev.reviewscore." + name + " has no layer: add it to LAYERS " + LAYERS);
    }
}
