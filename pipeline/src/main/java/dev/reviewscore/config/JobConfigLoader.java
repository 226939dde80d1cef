package dev.reviewscore.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.reviewscore.Credentials;
import dev.reviewscore.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a job configuration: the built-in defaults, then a HOCON file, then {@code key=value} overrides, each
 * overriding the one before. Every key must be one the job knows (settings under {@code spark} and
 * {@code source.options} are passed on as they are); every value is validated before anything else runs, and an
 * invalid one fails with a message naming the key, the value and the fix. Relative local paths are resolved against
 * the base directory given (the working directory for the command line).
 */
public final class JobConfigLoader {
    private static final String DEFAULTS = "dev/reviewscore/config/defaults.conf";
    private static final List<String> OPEN_SECTIONS = List.of("spark", "source.options", "evaluation.slices");
    private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passwd|secret|token|key|credential).*");

    private final Path baseDir;

    /**
     * @param baseDir the directory relative paths in the configuration are resolved against
     */
    public JobConfigLoader(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    /**
     * The validated job configuration and the effective settings, secrets redacted, for logging.
     *
     * @param config the job configuration
     * @param settings every effective setting as {@code key -> value}, sorted, with secret-like values masked
     */
    public record Loaded(JobConfig config, SortedMap<String, String> settings) {}

    /**
     * Loads a configuration file with overrides.
     *
     * @param file the HOCON file, for example {@code conf/local.conf}
     * @param overrides {@code key=value} strings, applied in order over the file
     * @return the validated configuration
     * @throws InvalidInputException when the file is missing or unparsable, a key is unknown, or a value is invalid
     */
    public Loaded load(Path file, List<String> overrides) {
        return load(file, overrides, true);
    }

    /**
     * Loads a configuration file with overrides, for a command that may read no source.
     *
     * @param sourceRequired false for a command that reads no source (evaluate): then {@code source.path} and
     *     {@code source.table} may both be unset, and {@link JobConfig#source()} is null
     * @see #load(Path, List)
     */
    public Loaded load(Path file, List<String> overrides, boolean sourceRequired) {
        Path resolved = baseDir.resolve(file).normalize();
        if (!Files.isRegularFile(resolved)) {
            throw new InvalidInputException("Configuration file " + resolved + " not found. Fix: pass --config "
                    + "with the path of a job configuration (conf/local.conf is the bundled example).");
        }
        Config fileConfig;
        try {
            fileConfig = ConfigFactory.parseFile(resolved.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidInputException("Cannot parse configuration file " + resolved + ": " + e.getMessage()
                    + ". Fix: correct the HOCON syntax at that line.", e);
        }
        return fromConfig(parseOverrides(overrides).withFallback(fileConfig), resolved.toString(), sourceRequired);
    }

    /**
     * Loads a configuration given as HOCON text (no file), with the defaults underneath.
     *
     * @param hocon the settings
     * @return the validated configuration
     */
    public Loaded loadText(String hocon) {
        Config config;
        try {
            config = ConfigFactory.parseString(hocon);
        } catch (ConfigException e) {
            throw new InvalidInputException("Cannot parse configuration: " + e.getMessage(), e);
        }
        return fromConfig(config, "(text)", true);
    }

    private Loaded fromConfig(Config userConfig, String origin, boolean sourceRequired) {
        Config defaults = defaults();
        checkKnownKeys(userConfig.root(), "", defaults, origin);
        Config merged;
        try {
            merged = userConfig.withFallback(defaults).resolve();
        } catch (ConfigException e) {
            throw new InvalidInputException("Cannot resolve configuration " + origin + ": " + e.getMessage(), e);
        }
        Reader reader = new Reader(merged);
        JobConfig job = new JobConfig(readSource(reader, sourceRequired), readModel(reader), readOutput(reader),
                new ScoringConfig(reader.bool("scoring.full"), reader.integer("scoring.progress-seconds"),
                        reader.integer("scoring.partitions-per-core"), reader.bool("scoring.read-changes"),
                        reader.enumValue("scoring.source-deletes", SourceDeletes.class)),
                new EvaluationConfig(reader.optString("evaluation.model-version"), reader.slices("evaluation.slices"),
                        new EvaluatorSettings(reader.number("evaluation.confidence-level"),
                                reader.integer("evaluation.bootstrap-replicates"),
                                reader.number("evaluation.target-precision"),
                                reader.integer("evaluation.error-examples")),
                        reader.optString("evaluation.compare-with"), reader.bool("evaluation.full")),
                new QualityGates(reader.optNumber("gates.min-accuracy"), reader.optNumber("gates.min-auc"),
                        reader.optNumber("gates.min-macro-f1"), reader.optNumber("gates.max-log-loss"),
                        reader.optNumber("gates.max-drift"), reader.optNumber("gates.max-reject-rate"),
                        reader.enumValue("gates.on", GateBasis.class), reader.bool("gates.slices"),
                        reader.integer("gates.min-labeled-reviews"), reader.bool("gates.challenger-not-worse")),
                reader.flatStrings("spark", "spark."));
        return new Loaded(job, settings(merged));
    }

    private static Config parseOverrides(List<String> overrides) {
        Config config = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("Invalid override \"" + override + "\". Fix: write it as key=value, "
                        + "for example --conf model.batch-size=64.");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            ConfigValue parsed;
            if (value.startsWith("[") || value.startsWith("{")) {
                try {
                    parsed = ConfigFactory.parseString("v = " + value).getValue("v");
                } catch (ConfigException e) {
                    throw new InvalidInputException("Invalid override " + key + ": cannot parse " + value + " ("
                            + e.getMessage() + "). Fix: write a list as [a, b] or quote the value.", e);
                }
            } else if (value.equals("null")) {
                parsed = ConfigValueFactory.fromAnyRef(null);
            } else {
                parsed = ConfigValueFactory.fromAnyRef(value);
            }
            try {
                config = config.withValue(key, parsed);
            } catch (ConfigException e) {
                throw new InvalidInputException("Invalid override key \"" + key + "\": " + e.getMessage(), e);
            }
        }
        return config;
    }

    private static void checkKnownKeys(ConfigObject object, String prefix, Config defaults, String origin) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String key = prefix.isEmpty() ? quoteIfNeeded(entry.getKey()) : prefix + "." + quoteIfNeeded(entry.getKey());
            if (OPEN_SECTIONS.stream().anyMatch(s -> key.equals(s) || key.startsWith(s + "."))) {
                continue;
            }
            if (!defaults.hasPathOrNull(key)) {
                throw new InvalidInputException("Unknown configuration key " + key + " (in " + origin + ")."
                        + suggestion(key, defaults) + " Fix: remove it or correct its name; docs/configuration.md lists every key.");
            }
            boolean section = !defaults.getIsNull(key) && defaults.getValue(key).valueType() == ConfigValueType.OBJECT;
            if (section && entry.getValue() instanceof ConfigObject child) {
                checkKnownKeys(child, key, defaults, origin);
            } else if (section && entry.getValue().valueType() != ConfigValueType.NULL) {
                throw new InvalidInputException("Configuration key " + key + " (in " + origin + ") is a section, "
                        + "not a value. Fix: set the keys inside it, for example " + key + "."
                        + defaults.getObject(key).keySet().stream().sorted().findFirst().orElse("...") + ".");
            }
        }
    }

    private static String quoteIfNeeded(String segment) {
        return segment.matches("[A-Za-z0-9_-]+") ? segment : "\"" + segment + "\"";
    }

    private static String suggestion(String key, Config defaults) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String path : leafPathsWithNulls(defaults.root(), "")) {
            int distance = editDistance(key, path);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = path;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 4) ? " Did you mean " + best + "?" : "";
    }

    private static List<String> leafPathsWithNulls(ConfigObject object, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            if (entry.getValue() instanceof ConfigObject child && !child.isEmpty()) {
                paths.addAll(leafPathsWithNulls(child, key));
            } else {
                paths.add(key);
            }
        }
        return paths;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private SourceConfig readSource(Reader reader, boolean required) {
        String path = reader.optString("source.path");
        String table = reader.optString("source.table");
        if (!required && path == null && table == null) {
            return null;
        }
        ConfigCheck.require(path != null || table != null, "source.path", null,
                "set source.path (a file or folder) or source.table (a catalog table)");
        ConfigCheck.require(path == null || table == null, "source.table", table,
                "set only one of source.path and source.table");
        TableLocation location = path != null ? TableLocation.atPath(resolvePath(path)) : TableLocation.named(table);
        ColumnMapping columns = new ColumnMapping(reader.string("source.columns.id"),
                reader.string("source.columns.text"), reader.optString("source.columns.label"),
                reader.strings("source.columns.pass-through"));
        LabelMapping labels = new LabelMapping(reader.enumValue("source.labels.kind", LabelKind.class),
                reader.strings("source.labels.positive-names"), reader.strings("source.labels.negative-names"),
                reader.number("source.labels.stars-positive-min"), reader.number("source.labels.stars-negative-max"));
        return new SourceConfig(reader.enumValue("source.format", SourceFormat.class), location,
                reader.flatStrings("source.options", ""), columns, labels);
    }

    private ModelConfig readModel(Reader reader) {
        String location = reader.optString("model.location");
        ConfigCheck.require(location != null, "model.location", null,
                "set the model folder (for the bundled default: models/movie-sentiment)");
        return modelSettings(reader).location(resolvePath(location)).build();
    }

    /**
     * The {@code model.*} values of {@code defaults.conf}, without a location: where {@link ModelConfig#builder()}
     * and the Spark ML stage take their defaults from, so that the job's defaults are written once.
     */
    static ModelConfig.Builder modelDefaults() {
        return modelSettings(new Reader(ModelDefaults.CONFIG));
    }

    private static ModelConfig.Builder modelSettings(Reader reader) {
        return new ModelConfig.Builder()
                .positiveLabel(reader.optString("model.positive-label"))
                .device(reader.enumValue("model.device", DeviceChoice.class))
                .batchSize(reader.integer("model.batch-size"))
                .maxLength(reader.optInteger("model.max-length"))
                .longText(reader.enumValue("model.long-text", LongTextPolicy.class))
                .windowOverlap(reader.integer("model.window-overlap"))
                .maxWindows(reader.integer("model.max-windows"))
                .tokenTypes(reader.optBool("model.token-types"))
                .threads(reader.integer("model.threads"))
                .bucketWindow(reader.integer("model.bucket-window"));
    }

    /** The built-in defaults, parsed once per class loader. */
    private static final class ModelDefaults {
        static final Config CONFIG = defaults().resolve();
    }

    private static Config defaults() {
        return ConfigFactory.parseResources(JobConfigLoader.class.getClassLoader(), DEFAULTS);
    }

    private OutputConfig readOutput(Reader reader) {
        String reports = reader.optString("output.reports");
        ConfigCheck.require(reports != null, "output.reports", null, "set the folder for JSON and Markdown reports");
        TableLocation metrics = table(reader, "output.metrics");
        return new OutputConfig(table(reader, "output.scored"), table(reader, "output.rejects"), metrics,
                optionalTable(reader, "output.runs", metrics.sibling("review_runs")),
                optionalTable(reader, "output.slice-metrics", metrics.sibling("review_slice_metrics")),
                optionalTable(reader, "output.latest", metrics.sibling("review_latest_metrics")),
                optionalTable(reader, "output.state", metrics.sibling("review_source_state")),
                optionalTable(reader, "output.aggregates", metrics.sibling("review_aggregates")),
                reader.optString("output.scheduler-run-id"), resolvePath(reports), reader.strings("output.partition-by"),
                reader.bool("output.keep-text"), reader.bool("output.deletion-vectors"));
    }

    private TableLocation optionalTable(Reader reader, String key, TableLocation otherwise) {
        return reader.optString(key + ".path") == null && reader.optString(key + ".table") == null ? otherwise
                : table(reader, key);
    }

    private TableLocation table(Reader reader, String key) {
        String path = reader.optString(key + ".path");
        String table = reader.optString(key + ".table");
        ConfigCheck.require(path != null || table != null, key + ".path", null,
                "set " + key + ".path (a Delta table folder) or " + key + ".table (a catalog table)");
        ConfigCheck.require(path == null || table == null, key + ".table", table,
                "set only one of " + key + ".path and " + key + ".table");
        return path != null ? TableLocation.atPath(resolvePath(path)) : TableLocation.named(table);
    }

    /** Local relative paths become absolute; URIs (s3a:, hdfs:, file:, dbfs:, ...) stay as they are. */
    String resolvePath(String path) {
        if (URI_SCHEME.matcher(path).matches()) {
            return path;
        }
        return baseDir.resolve(path).normalize().toString();
    }

    private static SortedMap<String, String> settings(Config merged) {
        SortedMap<String, String> settings = new TreeMap<>();
        Config defaults = ConfigFactory.parseResources(JobConfigLoader.class.getClassLoader(), DEFAULTS);
        for (Map.Entry<String, ConfigValue> entry : merged.entrySet()) {
            String key = entry.getKey();
            Object value = entry.getValue().unwrapped();
            String text = String.valueOf(value);
            boolean userKey = !defaults.hasPathOrNull(key);
            settings.put(key, userKey && SECRET_KEY.matcher(key).matches() ? "****" : Credentials.mask(text));
        }
        return settings;
    }

    /** Typed reads whose failures name the key. */
    private static final class Reader {
        private final Config config;

        Reader(Config config) {
            this.config = config;
        }

        String string(String key) {
            String value = optString(key);
            ConfigCheck.require(value != null, key, null, "set a value");
            return value;
        }

        String optString(String key) {
            if (config.getIsNull(key)) {
                return null;
            }
            ConfigValue value = config.getValue(key);
            if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
                throw ConfigCheck.invalid(key, value.render(), "use a single value, not a " + value.valueType());
            }
            String text = String.valueOf(value.unwrapped()).trim();
            return text.isEmpty() ? null : text;
        }

        int integer(String key) {
            Integer value = optInteger(key);
            ConfigCheck.require(value != null, key, null, "set a whole number");
            return value;
        }

        Integer optInteger(String key) {
            String text = optString(key);
            if (text == null) {
                return null;
            }
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw ConfigCheck.invalid(key, text, "use a whole number");
            }
        }

        double number(String key) {
            Double value = optNumber(key);
            ConfigCheck.require(value != null, key, null, "set a number");
            return value;
        }

        Double optNumber(String key) {
            String text = optString(key);
            if (text == null) {
                return null;
            }
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw ConfigCheck.invalid(key, text, "use a number");
            }
        }

        /** Slice name to expression, in the order written (a plain column name works as an expression). */
        Map<String, String> slices(String key) {
            Map<String, String> slices = new LinkedHashMap<>();
            if (config.getIsNull(key)) {
                return slices;
            }
            ConfigObject object = config.getObject(key);
            for (String name : object.keySet()) {
                ConfigValue value = object.get(name);
                if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST
                        || value.valueType() == ConfigValueType.NULL) {
                    throw ConfigCheck.invalid(key + "." + name, value.render(),
                            "give each slice a Spark SQL expression, for example review_month = "
                                    + "\"date_format(review_date, 'yyyy-MM')\"");
                }
                slices.put(name, String.valueOf(value.unwrapped()));
            }
            return slices;
        }

        boolean bool(String key) {
            Boolean value = optBool(key);
            ConfigCheck.require(value != null, key, null, "set true or false");
            return value;
        }

        Boolean optBool(String key) {
            String text = optString(key);
            if (text == null) {
                return null;
            }
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw ConfigCheck.invalid(key, text, "use true or false");
            };
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            String text = string(key);
            String constant = text.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E value : type.getEnumConstants()) {
                if (value.name().equals(constant)) {
                    return value;
                }
            }
            List<String> allowed = new ArrayList<>();
            for (E value : type.getEnumConstants()) {
                allowed.add(value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw ConfigCheck.invalid(key, text, "use one of " + String.join(", ", allowed));
        }

        List<String> strings(String key) {
            if (config.getIsNull(key)) {
                return List.of();
            }
            ConfigValue value = config.getValue(key);
            if (value.valueType() != ConfigValueType.LIST) {
                String single = optString(key);
                return single == null ? List.of() : List.of(single.split("\\s*,\\s*"));
            }
            List<String> values = new ArrayList<>();
            for (ConfigValue item : config.getList(key)) {
                if (item.valueType() == ConfigValueType.OBJECT || item.valueType() == ConfigValueType.LIST) {
                    throw ConfigCheck.invalid(key, value.render(), "use a list of plain values");
                }
                values.add(String.valueOf(item.unwrapped()));
            }
            return values;
        }

        Map<String, String> flatStrings(String key, String prefix) {
            Map<String, String> values = new LinkedHashMap<>();
            if (config.getIsNull(key)) {
                return values;
            }
            config.getConfig(key).entrySet().stream()
                    .sorted(Comparator.comparing(Map.Entry::getKey))
                    .forEach(e -> values.put(prefix + String.join(".", ConfigUtil.splitPath(e.getKey())),
                            String.valueOf(e.getValue().unwrapped())));
            return values;
        }
    }
}
