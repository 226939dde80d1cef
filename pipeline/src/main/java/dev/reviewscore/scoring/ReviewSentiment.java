package dev.reviewscore.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import dev.reviewscore.config.LongTextPolicy;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.ModelLocation;
import dev.reviewscore.sink.HadoopSettings;
import dev.reviewscore.sink.TableSchemas;
import dev.reviewscore.source.RejectReason;
import dev.reviewscore.source.ReviewColumns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * A Spark ML {@link Transformer} that scores a text column with a review-sentiment model: {@code transform(df)}
 * returns every input row with the predicted label, the probability of each label, the model version and, for a row
 * that could not be scored, the reason (null or blank text, or the model failing on it). The model is loaded once
 * per executor JVM and each task gets its own predictor, exactly as the scoring job does: the job scores through
 * this class.
 *
 * <p>The settings are Spark ML {@code Param}s whose defaults are the job's, read from the same {@code model.*} block
 * of {@code defaults.conf} ({@link ModelConfig#builder()}); {@link #modelConfig()} reads them as the job's record;
 * the stage is saved and loaded like any Spark ML stage ({@code write().save(path)}, {@link #load(String)}), also
 * inside a {@code Pipeline}.
 */
public final class ReviewSentiment extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private static final String INPUT = "__reviewscore_input";
    private static final String TEXT = "__reviewscore_text";
    private static final String REASON = "__reviewscore_reason";
    private static final String SKIP = "__reviewscore_skip";

    private final String uid;
    private final Param<String> modelLocation;
    private final Param<String> textCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilitiesCol;
    private final Param<String> modelVersionCol;
    private final Param<String> rejectReasonCol;
    private final IntParam batchSize;
    private final Param<String> device;
    private final Param<String> longText;
    private final IntParam maxLength;
    private final IntParam windowOverlap;
    private final IntParam maxWindows;
    private final IntParam threads;
    private final IntParam bucketWindow;
    private final BooleanParam tokenTypes;
    private transient ModelBundle bundle;

    /** A stage with a random uid and the default settings; set at least {@link #setModelLocation(String)}. */
    public ReviewSentiment() {
        this(Identifiable.randomUID("reviewSentiment"));
    }

    /**
     * A stage with the given uid (Spark ML's loader uses this constructor).
     *
     * @param uid the stage's unique id
     */
    public ReviewSentiment(String uid) {
        this.uid = uid;
        modelLocation = new Param<>(this, "modelLocation",
                "the model folder: a local path or a Hadoop file system URI (model.location)");
        textCol = new Param<>(this, "textCol", "the column holding the review text");
        predictionCol = new Param<>(this, "predictionCol", "output: the predicted label");
        probabilitiesCol = new Param<>(this, "probabilitiesCol", "output: map of label to probability");
        modelVersionCol = new Param<>(this, "modelVersionCol", "output: the model version (content hash)");
        rejectReasonCol = new Param<>(this, "rejectReasonCol",
                "output: why a row was not scored (null_text, empty_text, model_error), else null");
        batchSize = new IntParam(this, "batchSize", "sequences per forward pass (model.batch-size)");
        device = new Param<>(this, "device", "auto | cpu | gpu (model.device)");
        longText = new Param<>(this, "longText", "head | head-tail | windows (model.long-text)");
        maxLength = new IntParam(this, "maxLength", "tokens per sequence; 0 for the model's maximum (model.max-length)");
        windowOverlap = new IntParam(this, "windowOverlap", "tokens shared by windows (model.window-overlap)");
        maxWindows = new IntParam(this, "maxWindows", "windows per review at most (model.max-windows)");
        threads = new IntParam(this, "threads", "PyTorch intra-op threads per task (model.threads)");
        bucketWindow = new IntParam(this, "bucketWindow",
                "batches of rows sorted by length together; 1 turns sorting off (model.bucket-window)");
        tokenTypes = new BooleanParam(this, "tokenTypes",
                "whether token type ids are sent; unset: as the model's serving.properties says (model.token-types)");
        setDefault(textCol, "review");
        setDefault(predictionCol, "predicted_label");
        setDefault(probabilitiesCol, "probabilities");
        setDefault(modelVersionCol, TableSchemas.MODEL_VERSION);
        setDefault(rejectReasonCol, "reject_reason");
        ModelConfig defaults = ModelConfig.builder().build();
        setDefault(batchSize, defaults.batchSize());
        setDefault(device, choiceName(defaults.device()));
        setDefault(longText, choiceName(defaults.longText()));
        setDefault(maxLength, defaults.maxLength() == null ? 0 : defaults.maxLength());
        setDefault(windowOverlap, defaults.windowOverlap());
        setDefault(maxWindows, defaults.maxWindows());
        setDefault(threads, defaults.threads());
        setDefault(bucketWindow, defaults.bucketWindow());
    }

    /**
     * The stage for a model the caller has opened, with the job's model settings as its params ({@link #modelConfig()}
     * gives them back, less the positive label, which scoring does not use).
     *
     * @param bundle the opened model
     * @param model the settings
     * @return the stage
     */
    public static ReviewSentiment of(ModelBundle bundle, ModelConfig model) {
        ReviewSentiment stage = new ReviewSentiment().setModelLocation(bundle.location())
                .setBatchSize(model.batchSize()).setDevice(choiceName(model.device()))
                .setLongText(choiceName(model.longText()))
                .setMaxLength(model.maxLength() == null ? 0 : model.maxLength())
                .setWindowOverlap(model.windowOverlap()).setMaxWindows(model.maxWindows())
                .setThreads(model.threads()).setBucketWindow(model.bucketWindow());
        if (model.tokenTypes() != null) {
            stage.setTokenTypes(model.tokenTypes());
        }
        stage.bundle = bundle;
        return stage;
    }

    /**
     * Opens a model folder, loads the model once in this JVM and makes one predictor with the settings, so that a
     * model breaking the contract, or settings that do not fit it, fail before any Spark work (and a local-mode run
     * reuses the loaded copy).
     *
     * @param model the settings
     * @param hadoop the Hadoop configuration to read a model URI with
     * @return the opened model
     */
    public static ModelBundle openAndProbe(ModelConfig model, Configuration hadoop) {
        ModelBundle opened = ModelLocation.open(model.location(), hadoop);
        boolean types = model.tokenTypes() != null ? model.tokenTypes() : opened.tokenTypes();
        ExecutorModels.get(opened, types, Device.cpu(), model.threads(), hadoop).newPredictor(model).close();
        return opened;
    }

    /** Spark ML's reader for saved stages. */
    public static MLReader<ReviewSentiment> read() {
        return new Readable().read();
    }

    /**
     * Loads a stage saved with {@code write().save(path)}.
     *
     * @param path where it was saved
     * @return the stage
     */
    public static ReviewSentiment load(String path) {
        return read().load(path);
    }

    private static final class Readable implements DefaultParamsReadable<ReviewSentiment> {}

    @Override
    public String uid() {
        return uid;
    }

    /** The model's labels, in index order (opens the model folder on first use). */
    public List<String> labels() {
        return bundle(SparkSession.active()).labels();
    }

    /** The model's version, its content hash (opens the model folder on first use). */
    public String modelVersion() {
        return bundle(SparkSession.active()).version();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String text = getTextCol();
        if (!Arrays.asList(schema.fieldNames()).contains(text)) {
            throw new InvalidInputException("ReviewSentiment: the input has no column \"" + text + "\" (textCol). "
                    + "Its columns: " + Arrays.asList(schema.fieldNames()) + ". Fix: setTextCol(...) to the column "
                    + "holding the review text.");
        }
        if (!schema.apply(text).dataType().equals(DataTypes.StringType)) {
            throw new InvalidInputException("ReviewSentiment: column \"" + text + "\" (textCol) is "
                    + schema.apply(text).dataType().simpleString() + ", not string. Fix: cast it to string first.");
        }
        StructType out = schema;
        for (StructField field : outputFields()) {
            if (Arrays.asList(schema.fieldNames()).contains(field.name())) {
                throw new InvalidInputException("ReviewSentiment: output column \"" + field.name() + "\" already "
                        + "exists in the input. Fix: drop it or set another output column name.");
            }
            out = out.add(field);
        }
        return out;
    }

    private List<StructField> outputFields() {
        return List.of(
                DataTypes.createStructField(getPredictionCol(), DataTypes.StringType, true),
                DataTypes.createStructField(getProbabilitiesCol(),
                        DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true),
                DataTypes.createStructField(getModelVersionCol(), DataTypes.StringType, false),
                DataTypes.createStructField(getRejectReasonCol(), DataTypes.StringType, true));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        ModelBundle model = bundle(dataset.sparkSession());
        Column text = col("`" + getTextCol() + "`");
        Column[] inputColumns = Arrays.stream(dataset.columns()).map(name -> col("`" + name + "`"))
                .toArray(Column[]::new);
        Dataset<Row> marked = dataset.select(struct(inputColumns).as(INPUT), text.as(TEXT),
                when(text.isNull(), lit(RejectReason.NULL_TEXT.code()))
                        .when(trim(text).equalTo(""), lit(RejectReason.EMPTY_TEXT.code()))
                        .otherwise(lit(null).cast("string")).as(REASON),
                lit(false).as(SKIP));
        Dataset<Row> predicted = predict(marked, model, modelConfig(), TEXT, REASON, SKIP, null);
        Column labels = array(model.labels().stream().map(name -> lit(name)).toArray(Column[]::new));
        List<Column> out = new ArrayList<>();
        for (String name : dataset.columns()) {
            out.add(col(INPUT).getField(name).as(name));
        }
        out.add(ReviewColumns.labelAt(model.labels(), col(ScorePartition.PREDICTED_INDEX)).as(getPredictionCol()));
        out.add(when(col(ScorePartition.CLASS_PROBABILITIES).isNotNull(),
                map_from_arrays(labels, col(ScorePartition.CLASS_PROBABILITIES))).as(getProbabilitiesCol()));
        out.add(lit(model.version()).as(getModelVersionCol()));
        out.add(col(REASON).as(getRejectReasonCol()));
        return predicted.select(out.toArray(new Column[0]));
    }

    /**
     * Appends the prediction columns of {@link ScorePartition#outputSchema(StructType)} to rows, on the executors.
     * Rows with a reject reason, or with the skip column true, pass through unscored. The scoring job calls this with
     * its own model settings; {@link #transform} with the stage's.
     *
     * @param rows the rows
     * @param model the opened model
     * @param settings the model settings
     * @param textColumn the text column
     * @param reasonColumn the reject reason column (string; model errors set it)
     * @param skipColumn the boolean column marking rows to leave unscored
     * @param counter counts the rows handled, for progress reports; null for none
     * @return the rows with the prediction columns
     */
    static Dataset<Row> predict(Dataset<Row> rows, ModelBundle model, ModelConfig settings, String textColumn,
                                String reasonColumn, String skipColumn, LongAccumulator counter) {
        ScorePartition scorer = new ScorePartition(model, settings,
                settings.tokenTypes() != null ? settings.tokenTypes() : model.tokenTypes(), rows.schema(),
                textColumn, reasonColumn, skipColumn, counter, ModelLocation.isUri(model.location())
                        ? new SerializableConfiguration(HadoopSettings.of(rows.sparkSession())) : null);
        return rows.mapPartitions(scorer, Encoders.row(ScorePartition.outputSchema(rows.schema())));
    }

    /** The settings as the job's model configuration (checked as the job checks them). */
    public ModelConfig modelConfig() {
        return ModelConfig.builder().location(getModelLocation())
                .device(choice("device", getDevice(), DeviceChoice.class)).batchSize(getBatchSize())
                .maxLength(getMaxLength() == 0 ? null : getMaxLength())
                .longText(choice("longText", getLongText(), LongTextPolicy.class)).windowOverlap(getWindowOverlap())
                .maxWindows(getMaxWindows()).tokenTypes(isDefined(tokenTypes) ? getTokenTypes() : null)
                .threads(getThreads()).bucketWindow(getBucketWindow()).build();
    }

    private static String choiceName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E choice(String param, String value, Class<E> type) {
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = choiceName(constant);
            if (name.equals(value)) {
                return constant;
            }
            allowed.add(name);
        }
        throw new InvalidInputException("ReviewSentiment: " + param + " = \"" + value + "\" is not a choice. Fix: "
                + "use one of " + String.join(", ", allowed) + ".");
    }

    private ModelBundle bundle(SparkSession spark) {
        if (bundle == null || !bundle.location().equals(getModelLocation())) {
            if (!isDefined(modelLocation)) {
                throw new InvalidInputException("ReviewSentiment: no model. Fix: setModelLocation(...) to the model "
                        + "folder (a local path or a Hadoop file system URI).");
            }
            bundle = openAndProbe(modelConfig(), HadoopSettings.of(spark));
        }
        return bundle;
    }

    @Override
    public ReviewSentiment copy(ParamMap extra) {
        ReviewSentiment copy = defaultCopy(extra);
        copy.bundle = bundle;
        return copy;
    }

    /** @return the model location param */
    public Param<String> modelLocation() {
        return modelLocation;
    }

    /** @return the text column param */
    public Param<String> textCol() {
        return textCol;
    }

    /** @return the predicted label column param */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /** @return the probabilities column param */
    public Param<String> probabilitiesCol() {
        return probabilitiesCol;
    }

    /** @return the model version column param */
    public Param<String> modelVersionCol() {
        return modelVersionCol;
    }

    /** @return the reject reason column param */
    public Param<String> rejectReasonCol() {
        return rejectReasonCol;
    }

    /** @return the batch size param */
    public IntParam batchSize() {
        return batchSize;
    }

    /** @return the device param */
    public Param<String> device() {
        return device;
    }

    /** @return the long-text policy param */
    public Param<String> longText() {
        return longText;
    }

    /** @return the maximum sequence length param */
    public IntParam maxLength() {
        return maxLength;
    }

    /** @return the window overlap param */
    public IntParam windowOverlap() {
        return windowOverlap;
    }

    /** @return the maximum windows param */
    public IntParam maxWindows() {
        return maxWindows;
    }

    /** @return the threads param */
    public IntParam threads() {
        return threads;
    }

    /** @return the bucket window param */
    public IntParam bucketWindow() {
        return bucketWindow;
    }

    /** @return the token types param */
    public BooleanParam tokenTypes() {
        return tokenTypes;
    }

    public String getModelLocation() {
        return isDefined(modelLocation) ? getOrDefault(modelLocation) : null;
    }

    public String getTextCol() {
        return getOrDefault(textCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public String getProbabilitiesCol() {
        return getOrDefault(probabilitiesCol);
    }

    public String getModelVersionCol() {
        return getOrDefault(modelVersionCol);
    }

    public String getRejectReasonCol() {
        return getOrDefault(rejectReasonCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public String getDevice() {
        return getOrDefault(device);
    }

    public String getLongText() {
        return getOrDefault(longText);
    }

    public int getMaxLength() {
        return (Integer) getOrDefault(maxLength);
    }

    public int getWindowOverlap() {
        return (Integer) getOrDefault(windowOverlap);
    }

    public int getMaxWindows() {
        return (Integer) getOrDefault(maxWindows);
    }

    public int getThreads() {
        return (Integer) getOrDefault(threads);
    }

    public int getBucketWindow() {
        return (Integer) getOrDefault(bucketWindow);
    }

    public boolean getTokenTypes() {
        return (Boolean) getOrDefault(tokenTypes);
    }

    public ReviewSentiment setModelLocation(String value) {
        return (ReviewSentiment) set(modelLocation, value);
    }

    public ReviewSentiment setTextCol(String value) {
        return (ReviewSentiment) set(textCol, value);
    }

    public ReviewSentiment setPredictionCol(String value) {
        return (ReviewSentiment) set(predictionCol, value);
    }

    public ReviewSentiment setProbabilitiesCol(String value) {
        return (ReviewSentiment) set(probabilitiesCol, value);
    }

    public ReviewSentiment setModelVersionCol(String value) {
        return (ReviewSentiment) set(modelVersionCol, value);
    }

    public ReviewSentiment setRejectReasonCol(String value) {
        return (ReviewSentiment) set(rejectReasonCol, value);
    }

    public ReviewSentiment setBatchSize(int value) {
        return (ReviewSentiment) set(batchSize, value);
    }

    public ReviewSentiment setDevice(String value) {
        return (ReviewSentiment) set(device, value);
    }

    public ReviewSentiment setLongText(String value) {
        return (ReviewSentiment) set(longText, value);
    }

    public ReviewSentiment setMaxLength(int value) {
        return (ReviewSentiment) set(maxLength, value);
    }

    public ReviewSentiment setWindowOverlap(int value) {
        return (ReviewSentiment) set(windowOverlap, value);
    }

    public ReviewSentiment setMaxWindows(int value) {
        return (ReviewSentiment) set(maxWindows, value);
    }

    public ReviewSentiment setThreads(int value) {
        return (ReviewSentiment) set(threads, value);
    }

    public ReviewSentiment setBucketWindow(int value) {
        return (ReviewSentiment) set(bucketWindow, value);
    }

    public ReviewSentiment setTokenTypes(boolean value) {
        return (ReviewSentiment) set(tokenTypes, value);
    }
}
