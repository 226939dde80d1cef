package dev.reviewscore.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.reviewscore.config.JobConfig;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.inference.SentimentPredictor;
import dev.reviewscore.sink.MetricRows;
import dev.reviewscore.evaluation.ReviewEvaluator;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.testing.PlainMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Date;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What must hold after each step of the model-based test, checked against the test's own picture of the source
 * ({@link NightlySource}) and against plain computations written here ({@link PlainMetrics}), never against the code
 * under test: the scored table holds exactly the reviews a fresh full run scores, each with its current values and
 * the model's probabilities; every row a fresh run rejects is in the rejects table, once; the aggregates are those of
 * the scored table at their watermark; every metric of an evaluation is the plain computation's over the rows that
 * count, and its intervals are those of an evaluation from the rows; a fresh full run into tables of its own computes
 * the same. Each check returns the differences it finds, in words.
 */
final class NightlyOracle implements AutoCloseable {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    /**
     * How far a fresh full run's probabilities, and what is computed from them, may be from the nightly tables'. A
     * score is a float32 computation whose last bits depend on the batch a review was scored in (its padding, its
     * neighbours), and a fresh run batches the reviews otherwise; everything computed from the nightly tables' own
     * rows must match exactly.
     */
    private static final double SCORE_TOLERANCE = 1e-6;
    private final NightlyWorld world;
    private final SparkSession spark;
    private final Map<Path, ModelBundle> bundles = new HashMap<>();
    private final Map<String, double[]> probabilities = new HashMap<>();
    private SentimentModel model;
    private SentimentPredictor predictor;

    NightlyOracle(NightlyWorld world) {
        this.world = world;
        this.spark = world.spark;
    }

    private ModelBundle bundle() {
        return bundles.computeIfAbsent(world.model(), ModelBundle::open);
    }

    /** Every check that applies after a step of this kind. */
    List<String> check(NightlyStep.Check check, String runId) throws Exception {
        List<String> differences = new ArrayList<>(aggregates());
        if (runId == null) {
            return differences;
        }
        if (check == NightlyStep.Check.SCORED || check == NightlyStep.Check.SCORED_AND_EVALUATED) {
            differences.addAll(scored());
            differences.addAll(rejects());
            differences.addAll(monitoring(runId));
        }
        if (check == NightlyStep.Check.SCORED_AND_EVALUATED || check == NightlyStep.Check.EVALUATED) {
            differences.addAll(evaluation(runId));
        }
        return differences;
    }

    // ---- the scored table ----

    private boolean scoredExists() {
        return Files.isDirectory(world.table("scored").resolve("_delta_log"));
    }

    /** The model version's rows that count (not marked deleted), at a version of the scored table or the latest. */
    private Dataset<Row> counted(Path scored, Long version) {
        Dataset<Row> table = version == null ? spark.read().format("delta").load(scored.toString())
                : spark.read().format("delta").option("versionAsOf", version).load(scored.toString());
        return table.where(col("model_version").equalTo(lit(bundle().version()))
                .and(col("source_deleted_at").isNull()));
    }

    /** The scored table holds one row per review a fresh full run scores, with its current values and scores. */
    List<String> scored() throws Exception {
        Map<String, NightlySource.Expected> expected = new TreeMap<>();
        world.source.expect(world.unknownIsNegative(), expected, new ArrayList<>());
        List<String> differences = new ArrayList<>();
        Map<String, Row> actual = new TreeMap<>();
        if (scoredExists()) {
            for (Row row : counted(world.table("scored"), null).collectAsList()) {
                if (actual.put(row.getAs("review_id"), row) != null) {
                    differences.add("review " + row.getAs("review_id") + " has two scores of one model version");
                }
            }
        }
        if (!expected.keySet().equals(actual.keySet())) {
            Set<String> missing = new TreeSet<>(expected.keySet());
            missing.removeAll(actual.keySet());
            Set<String> extra = new TreeSet<>(actual.keySet());
            extra.removeAll(expected.keySet());
            differences.add("scored reviews differ from a fresh full run's: missing " + missing + ", not expected "
                    + extra);
        }
        List<String> texts = new ArrayList<>();
        expected.values().forEach(review -> texts.add(review.row().text()));
        predict(texts);
        for (NightlySource.Expected review : expected.values()) {
            Row row = actual.get(review.row().id());
            if (row == null) {
                continue;
            }
            NightlySource.SourceRow source = review.row();
            List<Object> want = java.util.Arrays.asList(sha256(source.text()), source.label(),
                    review.labelIndex() < 0 ? null : LABELS.get(review.labelIndex()),
                    review.labelIndex() < 0 ? null : review.labelIndex(), source.movie(),
                    source.reviewDate() == null ? null : Date.valueOf(source.reviewDate()));
            List<Object> have = java.util.Arrays.asList(row.getAs("text_hash"), row.getAs("source_label"),
                    row.getAs("label"), row.getAs("label_index"), row.getAs("movie"), row.getAs("review_date"));
            if (!want.equals(have)) {
                differences.add("review " + source.id() + " holds " + have + " where the source says " + want);
            }
            double[] model = probabilities.get(source.text());
            Map<String, Double> stored = row.getJavaMap(row.fieldIndex("probabilities"));
            if (Math.abs(stored.get("POSITIVE") - model[1]) > 1e-5
                    || Math.abs(stored.get("NEGATIVE") - model[0]) > 1e-5) {
                differences.add("review " + source.id() + " has probabilities " + stored + ", the model gives "
                        + java.util.Arrays.toString(model) + " for its text");
            }
            int predicted = model[1] > model[0] ? 1 : 0;
            if (!Objects.equals(row.getAs("predicted_index"), predicted) && Math.abs(model[1] - model[0]) > 1e-6) {
                differences.add("review " + source.id() + " predicted " + row.getAs("predicted_index"));
            }
        }
        return differences;
    }

    /** Every row a fresh full run rejects is in the rejects table with its reason; no rejected row twice. */
    List<String> rejects() {
        List<NightlySource.Rejected> expected = new ArrayList<>();
        world.source.expect(world.unknownIsNegative(), new TreeMap<>(), expected);
        List<String> differences = new ArrayList<>();
        Set<List<String>> recorded = new HashSet<>();
        Path rejects = world.table("rejects");
        if (Files.isDirectory(rejects.resolve("_delta_log"))) {
            Dataset<Row> rows = spark.read().format("delta").load(rejects.toString())
                    .where(col("model_version").equalTo(lit(bundle().version())));
            for (Row row : rows.select("review_id", "reason").collectAsList()) {
                recorded.add(java.util.Arrays.asList(row.getString(0), row.getString(1)));
            }
            long twice = rows.groupBy("review_id", "reason", "original").count().where(col("count").gt(1)).count();
            if (twice > 0) {
                differences.add(twice + " rejected rows are in the rejects table more than once");
            }
        }
        Set<List<String>> missing = new TreeSet<>(java.util.Comparator.comparing(Object::toString));
        for (NightlySource.Rejected reject : expected) {
            List<String> key = java.util.Arrays.asList(reject.row().id(), reject.reason());
            if (!recorded.contains(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            differences.add("rejected rows missing from the rejects table: " + missing);
        }
        return differences;
    }

    /** A run monitors every score written since the last monitored run: its own and those of runs that died. */
    List<String> monitoring(String runId) {
        Dataset<Row> metrics = spark.read().format("delta").load(world.table("metrics").toString())
                .where(col("model_version").equalTo(lit(bundle().version())).and(col("metric")
                        .equalTo("monitored_reviews")));
        List<Row> own = metrics.where(col("run_id").equalTo(runId)).select("value").collectAsList();
        if (own.isEmpty()) {
            return List.of("run " + runId + " recorded no monitoring");
        }
        String last = null;
        for (Row row : metrics.where(col("run_id").lt(runId)).select("run_id").collectAsList()) {
            last = last == null || row.getString(0).compareTo(last) > 0 ? row.getString(0) : last;
        }
        long expected = 0;
        if (scoredExists()) {
            for (Row row : spark.read().format("delta").load(world.table("scored").toString())
                    .where(col("model_version").equalTo(lit(bundle().version()))).select("run_id").collectAsList()) {
                String writer = row.getString(0);
                if (writer.compareTo(runId) <= 0 && (last == null || writer.compareTo(last) > 0)) {
                    expected++;
                }
            }
        }
        double monitored = own.get(0).getDouble(0);
        return monitored == expected ? List.of() : List.of("run " + runId + " monitored " + (long) monitored
                + " reviews; " + expected + " were scored since the last monitored run (" + last + ")");
    }

    // ---- the aggregates ----

    /**
     * The aggregates of the model version, wherever their watermark stands, count exactly the rows of the scored
     * table at that version: a run that added twice, or an addition on top of a rebuild, shows here.
     */
    List<String> aggregates() {
        Path table = world.table("aggregates");
        if (world.aggregatesOfAnotherTable || !scoredExists() || !Files.isDirectory(table.resolve("_delta_log"))) {
            return List.of();
        }
        Dataset<Row> rows = spark.read().format("delta").load(table.toString())
                .where(col("scored_table").equalTo(lit("path " + world.table("scored")))
                        .and(col("model_version").equalTo(lit(bundle().version()))));
        List<String> differences = new ArrayList<>();
        for (Row watermark : rows.where(col("kind").equalTo("watermark")).select("definition", "scored_version")
                .collectAsList()) {
            Map<List<Object>, double[]> expected;
            try {
                expected = histogram(counted(world.table("scored"), watermark.getLong(1)).collectAsList());
            } catch (Exception vacuumed) {
                continue; // VACUUM removed that version's files: nothing to compare with
            }
            Map<List<Object>, double[]> actual = new HashMap<>();
            for (Row row : rows.where(col("kind").equalTo("histogram").and(col("definition")
                    .equalTo(watermark.getString(0)))).collectAsList()) {
                long reviews = row.getAs("reviews");
                double loss = ((java.math.BigDecimal) row.getAs("loss_sum")).doubleValue();
                if (reviews != 0 || Math.abs(loss) > 1e-12) {
                    actual.put(java.util.Arrays.asList(row.getAs("slice_name"), row.getAs("slice_value"),
                            row.getAs("label_index"), row.getAs("predicted_index"), row.getAs("score")),
                            new double[] {reviews, loss});
                }
            }
            if (!sameHistogram(expected, actual)) {
                differences.add("the aggregates at watermark " + watermark.getLong(1) + " count "
                        + total(actual) + " reviews (slice all) where the scored table at that version has "
                        + total(expected) + ", or differ in their counts or loss sums");
            }
        }
        return differences;
    }

    /** Per (slice, value, true label, predicted label, score): reviews and the sum of their log-loss terms. */
    private static Map<List<Object>, double[]> histogram(List<Row> rows) {
        Map<List<Object>, double[]> histogram = new HashMap<>();
        for (Row row : rows) {
            Map<String, Double> p = row.getJavaMap(row.fieldIndex("probabilities"));
            Integer label = row.getAs("label_index");
            double loss = label == null ? 0 : logLoss(label, p.get("NEGATIVE"), p.get("POSITIVE"));
            for (String[] slice : slices(row)) {
                List<Object> key = java.util.Arrays.asList(slice[0], slice[1], label, row.getAs("predicted_index"),
                        p.get("POSITIVE"));
                double[] sums = histogram.computeIfAbsent(key, k -> new double[2]);
                sums[0]++;
                sums[1] += loss;
            }
        }
        return histogram;
    }

    private static boolean sameHistogram(Map<List<Object>, double[]> expected, Map<List<Object>, double[]> actual) {
        if (!expected.keySet().equals(actual.keySet())) {
            return false;
        }
        for (Map.Entry<List<Object>, double[]> entry : expected.entrySet()) {
            double[] other = actual.get(entry.getKey());
            if (entry.getValue()[0] != other[0] || Math.abs(entry.getValue()[1] - other[1]) > 1e-9) {
                return false;
            }
        }
        return true;
    }

    private static long total(Map<List<Object>, double[]> histogram) {
        return histogram.entrySet().stream().filter(entry -> "all".equals(entry.getKey().get(0)))
                .mapToLong(entry -> (long) entry.getValue()[0]).sum();
    }

    /** The slices a scored row is in, as the test's job configuration defines them: name and value. */
    private static List<String[]> slices(Row row) {
        String movie = row.getAs("movie");
        Date date = row.getAs("review_date");
        int tokens = row.getAs("token_count");
        return List.of(new String[] {"all", "all"}, new String[] {"movie", movie == null ? "null" : movie},
                new String[] {"review_month", date == null ? "null" : date.toString().substring(0, 7)},
                new String[] {"length", tokens < 12 ? "short" : "long"});
    }

    /** scikit-learn's log-loss term: probabilities clipped to [eps, 1 - eps] and renormalized. */
    private static double logLoss(int label, double negative, double positive) {
        double eps = Math.ulp(1.0);
        double n = Math.min(Math.max(negative, eps), 1 - eps);
        double p = Math.min(Math.max(positive, eps), 1 - eps);
        return -Math.log((label == 1 ? p : n) / (n + p));
    }

    // ---- an evaluation ----

    /**
     * The evaluation a run wrote to the metrics table equals, slice by slice, the plain computation over the scored
     * rows that count, and its intervals are those of an evaluation from the same rows.
     */
    List<String> evaluation(String runId) {
        List<String> differences = new ArrayList<>();
        List<Row> rows = scoredExists() ? counted(world.table("scored"), null).collectAsList() : List.of();
        Map<List<String>, Row> written = metricRows(world.table("metrics"), runId);
        Map<String, List<Row>> bySlice = new TreeMap<>();
        for (Row row : rows) {
            for (String[] slice : slices(row)) {
                bySlice.computeIfAbsent(slice[0] + "=" + slice[1], k -> new ArrayList<>()).add(row);
            }
        }
        if (bySlice.isEmpty()) {
            bySlice.put("all=all", List.of());
        }
        Set<String> writtenSlices = new TreeSet<>();
        written.keySet().forEach(key -> writtenSlices.add(key.get(0) + "=" + key.get(1)));
        if (!writtenSlices.equals(bySlice.keySet())) {
            differences.add("run " + runId + " evaluated slices " + writtenSlices + " where the rows have "
                    + bySlice.keySet());
        }
        for (Map.Entry<String, List<Row>> slice : bySlice.entrySet()) {
            String[] name = slice.getKey().split("=", 2);
            PlainMetrics.Values plain = PlainMetrics.of(slice.getValue().stream().map(NightlyOracle::review).toList());
            compare(differences, written, name, "rows", null, null, (double) plain.rows());
            compare(differences, written, name, "labeled_rows", null, null, (double) plain.labeled());
            compare(differences, written, name, "accuracy", null, null, plain.accuracy());
            compare(differences, written, name, "log_loss", null, null, plain.logLoss());
            compare(differences, written, name, "auc", null, null, plain.auc());
            for (int k = 0; k < 2; k++) {
                Double unlessNoLabels = plain.labeled() == 0 ? null : 0.0;
                compare(differences, written, name, "precision", LABELS.get(k), null,
                        unlessNoLabels == null ? null : plain.precision()[k]);
                compare(differences, written, name, "recall", LABELS.get(k), null,
                        unlessNoLabels == null ? null : plain.recall()[k]);
                compare(differences, written, name, "f1", LABELS.get(k), null,
                        unlessNoLabels == null ? null : plain.f1()[k]);
                for (int j = 0; j < 2; j++) {
                    compare(differences, written, name, "confusion_count", LABELS.get(k), LABELS.get(j),
                            (double) plain.confusion()[k][j]);
                }
            }
        }
        if (!rows.isEmpty()) {
            differences.addAll(sameIntervals(written, fromRows(rows), "an evaluation from the scored rows", 1e-9));
        }
        return differences;
    }

    private static PlainMetrics.Review review(Row row) {
        Map<String, Double> p = row.getJavaMap(row.fieldIndex("probabilities"));
        Integer label = row.getAs("label_index");
        return new PlainMetrics.Review(label == null ? -1 : label, row.getAs("predicted_index"), p.get("NEGATIVE"),
                p.get("POSITIVE"));
    }

    private static void compare(List<String> differences, Map<List<String>, Row> written, String[] slice,
                                String metric, String classLabel, String predicted, Double expected) {
        Row row = written.get(java.util.Arrays.asList(slice[0], slice[1], metric, classLabel, predicted));
        Double value = row == null || row.isNullAt(row.fieldIndex("value")) ? null : row.getAs("value");
        boolean same = expected == null ? value == null
                : value != null && Math.abs(expected - value) <= 1e-9 * Math.max(1, Math.abs(expected));
        if (!same) {
            differences.add(slice[0] + "=" + slice[1] + " " + metric + (classLabel == null ? "" : "[" + classLabel
                    + (predicted == null ? "" : "," + predicted) + "]") + ": the job wrote " + value
                    + ", the plain computation gives " + expected);
        }
    }

    /** A run's evaluation rows in a metrics table, by slice name, value, metric, class and predicted label. */
    private Map<List<String>, Row> metricRows(Path table, String runId) {
        Map<List<String>, Row> rows = new HashMap<>();
        for (Row row : spark.read().format("delta").load(table.toString()).where(col("run_id").equalTo(runId)
                .and(col("slice_name").notEqual("stage")).and(col("slice_name").notEqual("score_bin"))
                .and(col("slice_name").notEqual("source")).and(col("slice_name").notEqual("gate"))
                .and(col("metric").isin("rows", "labeled_rows", "unlabeled_rows", "accuracy", "log_loss", "auc",
                        "macro_f1", "weighted_f1", "precision", "recall", "f1", "support", "confusion_count")))
                .collectAsList()) {
            rows.put(java.util.Arrays.asList(row.getAs("slice_name"), row.getAs("slice_value"), row.getAs("metric"),
                    row.getAs("class_label"), row.getAs("predicted_label")), row);
        }
        return rows;
    }

    /** The rows an evaluation from the scored rows writes, computed from the rows without any aggregates. */
    private Map<List<String>, Row> fromRows(List<Row> rows) {
        JobConfig config = world.config();
        ModelBundle bundle = bundle();
        Dataset<Row> frame = spark.createDataFrame(rows, rows.get(0).schema());
        var evaluation = ReviewEvaluator.forScoredTable(config.evaluation(), config.model().positiveLabel(),
                bundle.labels(), bundle.name(), bundle.version()).evaluate(frame);
        Map<List<String>, Row> byKey = new HashMap<>();
        for (Row row : MetricRows.evaluationRows(evaluation, "rows", Instant.now())) {
            byKey.put(java.util.Arrays.asList(row.getString(4), row.getString(5), row.getString(6),
                    row.getString(7), row.getString(8)), row);
        }
        return byKey;
    }

    private static List<String> sameIntervals(Map<List<String>, Row> written, Map<List<String>, Row> other,
                                              String what, double tolerance) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<List<String>, Row> entry : other.entrySet()) {
            Row mine = written.get(entry.getKey());
            Row theirs = entry.getValue();
            if (mine == null) {
                differences.add(entry.getKey() + " is missing where " + what + " has it");
                continue;
            }
            for (String field : List.of("value", "lower", "upper")) {
                int index = TableSchemas.METRICS.fieldIndex(field);
                Double a = mine.isNullAt(index) ? null : mine.getDouble(index);
                Double b = theirs.isNullAt(index) ? null : theirs.getDouble(index);
                boolean same = a == null ? b == null : b != null && Math.abs(a - b) <= tolerance;
                if (!same) {
                    differences.add(entry.getKey() + " " + field + ": " + a + " where " + what + " has " + b);
                }
            }
        }
        return differences;
    }

    // ---- a fresh full run ----

    /**
     * A fresh full run of the current source, into tables of its own, scores the same reviews with the same
     * probabilities, rejects the same rows and computes the same metrics and intervals as the nightly tables'
     * evaluation {@code runId}.
     */
    List<String> freshFullRun(String runId, int number) {
        Path tables = world.dir.resolve("fresh-" + number);
        String freshRun = world.job(Action.RUN, world.config(tables));
        List<String> differences = new ArrayList<>();
        Map<String, Row> fresh = byId(counted(tables.resolve("scored"), null).collectAsList());
        Map<String, Row> nightly = byId(scoredExists() ? counted(world.table("scored"), null).collectAsList()
                : List.of());
        if (!fresh.keySet().equals(nightly.keySet())) {
            differences.add("a fresh full run scored " + fresh.keySet() + ", the nightly tables hold "
                    + nightly.keySet());
        }
        for (Map.Entry<String, Row> entry : fresh.entrySet()) {
            Row other = nightly.get(entry.getKey());
            if (other == null) {
                continue;
            }
            for (String column : List.of("text_hash", "label", "label_index", "source_label", "predicted_index",
                    "movie", "review_date", "token_count", "windows", "truncated")) {
                if (!Objects.equals(entry.getValue().getAs(column), other.getAs(column))) {
                    differences.add("review " + entry.getKey() + " " + column + ": fresh " + entry.getValue()
                            .getAs(column) + ", nightly " + other.getAs(column));
                }
            }
            Map<String, Double> a = entry.getValue().getJavaMap(entry.getValue().fieldIndex("probabilities"));
            Map<String, Double> b = other.getJavaMap(other.fieldIndex("probabilities"));
            if (Math.abs(a.get("POSITIVE") - b.get("POSITIVE")) > SCORE_TOLERANCE) {
                differences.add("review " + entry.getKey() + ": fresh probabilities " + a + ", nightly " + b);
            }
        }
        differences.addAll(sameIntervals(metricRows(world.table("metrics"), runId),
                metricRows(tables.resolve("metrics"), freshRun), "a fresh full run", SCORE_TOLERANCE));
        return differences;
    }

    private static Map<String, Row> byId(List<Row> rows) {
        Map<String, Row> byId = new TreeMap<>();
        rows.forEach(row -> byId.put(row.getAs("review_id"), row));
        return byId;
    }

    // ---- the model, run directly ----

    /** The model's probabilities of each text, run with the job's settings but without Spark. */
    private void predict(List<String> texts) throws Exception {
        List<String> missing = texts.stream().filter(text -> !probabilities.containsKey(text)).distinct().toList();
        if (missing.isEmpty()) {
            return;
        }
        if (predictor == null) {
            model = SentimentModel.load(bundle(), false, ai.djl.Device.cpu());
            predictor = model.newPredictor(world.config().model());
        }
        List<Prediction> predictions = predictor.predict(missing);
        for (int i = 0; i < missing.size(); i++) {
            probabilities.put(missing.get(i), predictions.get(i).probabilities());
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        if (predictor != null) {
            predictor.close();
            model.close();
        }
    }
}
