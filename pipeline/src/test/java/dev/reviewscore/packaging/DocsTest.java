package dev.reviewscore.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The documentation stays true to the code: the tables' columns and their meanings in docs/tables.md are the schemas'
 * own comments, the schema version it states is the code's, every configuration key is documented, every folder the
 * README's layout names exists, and every link between the documents leads to a file and a heading that exist.
 */
class DocsTest {
    private static final Path PROJECT = TestPaths.project();
    /** The tables, in the order docs/tables.md describes them, with the titles it gives them. */
    private static final Map<String, StructType> TABLES = new java.util.LinkedHashMap<>();

    static {
        TABLES.put("Scored table", TableSchemas.SCORED);
        TABLES.put("Rejects table", TableSchemas.REJECTS);
        TABLES.put("Metrics table", TableSchemas.METRICS);
        TABLES.put("Runs table", TableSchemas.RUNS);
        TABLES.put("Slice metrics table", TableSchemas.SLICE_METRICS);
        TABLES.put("Latest metrics table", TableSchemas.LATEST);
        TABLES.put("Source state table", TableSchemas.SOURCE_STATE);
        TABLES.put("Aggregates table", TableSchemas.AGGREGATES);
    }

    /** The Markdown docs/tables.md holds for a table: its columns, types and comments, from the schema. */
    static String describe(String title, StructType schema) {
        StringBuilder text = new StringBuilder("### " + title
                + "\n\n| column | type | what it holds |\n|---|---|---|\n");
        for (StructField field : schema.fields()) {
            text.append("| `").append(field.name()).append("` | ").append(field.dataType().simpleString())
                    .append(" | ").append(field.getComment().get().replace("|", "\\|")).append(" |\n");
        }
        return text.toString();
    }

    @Test
    void theTablesPageDescribesEveryColumnWithTheSchemasOwnComment() throws IOException {
        String page = Files.readString(PROJECT.resolve("docs/tables.md"));
        List<String> missing = new ArrayList<>();
        TABLES.forEach((title, schema) -> {
            String block = describe(title, schema);
            if (!page.contains(block)) {
                missing.add(block);
            }
        });
        assertEquals(List.of(), missing, "docs/tables.md must hold these blocks as the schemas describe them (paste "
                + "them in place of the old ones):\n" + String.join("\n", missing));
    }

    @Test
    void theSchemaVersionTheDocsStateIsTheCodes() throws IOException {
        Matcher stated = Pattern.compile("Schema version (\\d+)").matcher(Files.readString(
                PROJECT.resolve("docs/tables.md")));
        List<Integer> versions = new ArrayList<>();
        while (stated.find()) {
            versions.add(Integer.parseInt(stated.group(1)));
        }
        assertEquals(List.of(TableSchemas.VERSION), versions, "docs/tables.md states the schema version once");
    }

    @Test
    void everyConfigurationKeyIsDocumented() throws IOException {
        String page = Files.readString(PROJECT.resolve("docs/configuration.md"));
        Config defaults = ConfigFactory.parseResources("dev/reviewscore/config/defaults.conf");
        List<String> undocumented = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : leaves(defaults)) {
            String key = entry.getKey();
            String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : key;
            boolean location = key.endsWith(".path") || key.endsWith(".table");
            boolean named = page.contains("`" + key + "`") || page.contains("`" + key + ".*`");
            if (!named && !(location && page.contains("`" + parent + "`"))) {
                undocumented.add(key);
            }
        }
        assertEquals(List.of(), undocumented, "keys of defaults.conf that docs/configuration.md does not name");
    }

    /** Every setting of a configuration, an empty object counting as one. */
    private static List<Map.Entry<String, ConfigValue>> leaves(Config config) {
        List<Map.Entry<String, ConfigValue>> leaves = new ArrayList<>(config.entrySet());
        config.root().forEach((key, value) -> collectEmpty(key, value, leaves));
        leaves.sort(Map.Entry.comparingByKey());
        return leaves;
    }

    private static void collectEmpty(String path, ConfigValue value, List<Map.Entry<String, ConfigValue>> leaves) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            Map<String, Object> object = ((com.typesafe.config.ConfigObject) value).unwrapped();
            if (object.isEmpty()) {
                leaves.add(Map.entry(path, value));
            }
            ((com.typesafe.config.ConfigObject) value).forEach((key, child) -> collectEmpty(path + "." + key, child,
                    leaves));
        }
    }

    @Test
    void everyFolderTheLayoutNamesExists() throws IOException {
        String readme = Files.readString(PROJECT.resolve("README.md"));
        String layout = readme.substring(readme.indexOf("## Layout"));
        Matcher folder = Pattern.compile("^([\\w.-]+(?:/[\\w.-]+)*/?)\\s{2,}", Pattern.MULTILINE).matcher(
                layout.substring(layout.indexOf("```") + 3, layout.indexOf("```", layout.indexOf("```") + 3)));
        List<String> missing = new ArrayList<>();
        int named = 0;
        while (folder.find()) {
            named++;
            if (!Files.exists(PROJECT.resolve(folder.group(1)))) {
                missing.add(folder.group(1));
            }
        }
        assertEquals(List.of(), missing, "README's layout names what does not exist");
        assertEquals(true, named >= 8, "README's layout names " + named + " entries");
    }

    @Test
    void everySourcePathTheDocumentsNameExists() throws IOException {
        // a path with a src/ folder, from the project or from pipeline/ (README's layout names pipeline's folders)
        Pattern path = Pattern.compile("(?<![\\w/.-])((?:[\\w.-]+/)*src/[\\w./-]*\\w)");
        List<String> missing = new ArrayList<>();
        List<Path> documents = new ArrayList<>(List.of(PROJECT.resolve("README.md"),
                PROJECT.resolve("RELIABILITY.md")));
        try (var docs = Files.list(PROJECT.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).forEach(documents::add);
        }
        for (Path document : documents) {
            Matcher named = path.matcher(Files.readString(document));
            while (named.find()) {
                String name = named.group(1);
                if (!Files.exists(PROJECT.resolve(name)) && !Files.exists(PROJECT.resolve("pipeline").resolve(name))) {
                    missing.add(PROJECT.relativize(document) + ": " + name);
                }
            }
        }
        assertEquals(List.of(), missing, "the documents name source paths that do not exist");
    }

    @Test
    void everyLinkBetweenTheDocumentsLeadsToAFileAndAHeading() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(PROJECT.resolve("README.md"), PROJECT.resolve("RELIABILITY.md"),
                PROJECT.resolve("BENCHMARKS.md")));
        try (Stream<Path> docs = Files.list(PROJECT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        TreeSet<String> broken = new TreeSet<>();
        for (Path document : documents) {
            Matcher matcher = link.matcher(Files.readString(document));
            while (matcher.find()) {
                String target = matcher.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue;
                }
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(PROJECT.relativize(document) + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(PROJECT.relativize(document) + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), List.copyOf(broken), "links that lead nowhere");
    }

    /** The anchors of a Markdown file's headings, as GitHub makes them. */
    private static List<String> anchors(Path markdown) throws IOException {
        List<String> anchors = new ArrayList<>();
        for (String line : Files.readAllLines(markdown)) {
            if (line.startsWith("#")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
