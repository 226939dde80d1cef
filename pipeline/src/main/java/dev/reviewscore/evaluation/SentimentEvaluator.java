package dev.reviewscore.evaluation;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.EvaluatorSettings;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import dev.reviewscore.metrics.Metric;
import dev.reviewscore.metrics.SliceEvaluation;

/**
 * A Spark ML {@link org.apache.spark.ml.evaluation.Evaluator} for one headline metric of {@link ReviewEvaluator} over the whole DataFrame, for
 * model selection (for example in a {@code CrossValidator}) and pipelines: {@code accuracy} (the default),
 * {@code auc}, {@code log_loss} (smaller is better), {@code macro_f1} or {@code weighted_f1}. A metric that is
 * undefined for the rows (no labeled rows; AUC with one class) is NaN.
 */
public final class SentimentEvaluator extends org.apache.spark.ml.evaluation.Evaluator implements DefaultParamsWritable {
    /** One number per call (model selection calls it often): no bootstrap, no examples. */
    private static final EvaluatorSettings POINT_ONLY = new EvaluatorSettings(
            EvaluatorSettings.DEFAULT.confidenceLevel(), 0, EvaluatorSettings.DEFAULT.targetPrecision(), 0);

    private static final long serialVersionUID = 1L;
    private static final List<String> METRICS = Metric.headline().stream().map(Metric::metricName).toList();

    private final String uid;
    private final Param<String> metricName;
    private final Param<String> labelCol;
    private final Param<String> probabilitiesCol;
    private final Param<String> predictionCol;
    private final StringArrayParam labels;
    private final Param<String> positiveLabel;

    /** An evaluator with a random uid and the defaults. */
    public SentimentEvaluator() {
        this(Identifiable.randomUID("sentimentEvaluator"));
    }

    /**
     * An evaluator with the given uid (Spark ML's loader uses this constructor).
     *
     * @param uid the unique id
     */
    public SentimentEvaluator(String uid) {
        this.uid = uid;
        metricName = new Param<>(this, "metricName", "one of: " + Metric.headline().stream()
                .map(metric -> metric.metricName() + " (" + metric.definition() + ")")
                .collect(Collectors.joining("; ")));
        labelCol = new Param<>(this, "labelCol", "the true label: a label name or index");
        probabilitiesCol = new Param<>(this, "probabilitiesCol",
                "probabilities: a map of label to probability, or an array or vector in label order");
        predictionCol = new Param<>(this, "predictionCol",
                "the predicted label (name or index); empty: the most probable label");
        labels = new StringArrayParam(this, "labels",
                "the labels in index order; empty: the keys of the probability map, sorted");
        positiveLabel = new Param<>(this, "positiveLabel",
                "the label AUC is computed for; empty: positive/pos, else the second of two labels");
        setDefault(metricName, Metric.ACCURACY.metricName());
        setDefault(labelCol, "label");
        setDefault(probabilitiesCol, "probabilities");
        setDefault(predictionCol, "");
        setDefault(labels, new String[0]);
        setDefault(positiveLabel, "");
    }

    /** Spark ML's reader for saved evaluators. */
    public static MLReader<SentimentEvaluator> read() {
        return new Readable().read();
    }

    /**
     * Loads an evaluator saved with {@code write().save(path)}.
     *
     * @param path where it was saved
     * @return the evaluator
     */
    public static SentimentEvaluator load(String path) {
        return read().load(path);
    }

    private static final class Readable implements DefaultParamsReadable<SentimentEvaluator> {}

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public double evaluate(Dataset<?> dataset) {
        String metric = getMetricName();
        if (!METRICS.contains(metric)) {
            throw new InvalidInputException("SentimentEvaluator: metricName = \"" + metric + "\" is not a metric. "
                    + "Fix: use one of " + METRICS + ".");
        }
        ReviewEvaluator evaluator = ReviewEvaluator.forLabels(List.of(getLabels()))
                .withLabelCol(getLabelCol()).withProbabilitiesCol(getProbabilitiesCol())
                .withPredictionCol(getPredictionCol().isEmpty() ? null : getPredictionCol())
                .withPositiveLabel(getPositiveLabel().isEmpty() ? null : getPositiveLabel())
                .withSettings(POINT_ONLY);
        SliceEvaluation all = evaluator.evaluate(dataset).overall();
        Double value = Metric.named(metric).read(all);
        return value == null ? Double.NaN : value;
    }

    @Override
    public boolean isLargerBetter() {
        return !METRICS.contains(getMetricName()) || Metric.named(getMetricName()).largerIsBetter();
    }

    @Override
    public SentimentEvaluator copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return the metric name param */
    public Param<String> metricName() {
        return metricName;
    }

    /** @return the label column param */
    public Param<String> labelCol() {
        return labelCol;
    }

    /** @return the probabilities column param */
    public Param<String> probabilitiesCol() {
        return probabilitiesCol;
    }

    /** @return the prediction column param */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /** @return the labels param */
    public StringArrayParam labels() {
        return labels;
    }

    /** @return the positive label param */
    public Param<String> positiveLabel() {
        return positiveLabel;
    }

    public String getMetricName() {
        return getOrDefault(metricName);
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public String getProbabilitiesCol() {
        return getOrDefault(probabilitiesCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public String[] getLabels() {
        return getOrDefault(labels);
    }

    public String getPositiveLabel() {
        return getOrDefault(positiveLabel);
    }

    public SentimentEvaluator setMetricName(String value) {
        return (SentimentEvaluator) set(metricName, value);
    }

    public SentimentEvaluator setLabelCol(String value) {
        return (SentimentEvaluator) set(labelCol, value);
    }

    public SentimentEvaluator setProbabilitiesCol(String value) {
        return (SentimentEvaluator) set(probabilitiesCol, value);
    }

    public SentimentEvaluator setPredictionCol(String value) {
        return (SentimentEvaluator) set(predictionCol, value);
    }

    public SentimentEvaluator setLabels(String... value) {
        return (SentimentEvaluator) set(labels, value);
    }

    public SentimentEvaluator setPositiveLabel(String value) {
        return (SentimentEvaluator) set(positiveLabel, value);
    }
}
