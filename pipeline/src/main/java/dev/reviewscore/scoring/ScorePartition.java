package dev.reviewscore.scoring;

import ai.djl.Device;
import dev.reviewscore.config.ModelConfig;
import dev.reviewscore.inference.DjlEnvironment;
import dev.reviewscore.inference.ExecutorModels;
import dev.reviewscore.inference.ModelBundle;
import dev.reviewscore.inference.Prediction;
import dev.reviewscore.inference.SentimentModel;
import dev.reviewscore.inference.SentimentPredictor;
import dev.reviewscore.inference.TaskDevice;
import dev.reviewscore.source.RejectReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of scoring: maps a partition of normalized review rows to the same rows with the prediction
 * columns appended ({@link #outputSchema(StructType)}). The model comes from {@link ExecutorModels} (loaded once
 * per executor JVM and device); the task gets its own predictor, closed when the task completes.
 *
 * <p>Rows that already carry a reject reason, or are marked as already scored, pass through unscored. The others
 * are read lazily, {@code batch-size x bucket-window} at a time, and scored together (the predictor sorts them by
 * length into batches). If the model fails on such a group, each of its reviews is scored alone, and the
 * ones that still fail come out with reject reason {@code model_error} and the error message: one review never
 * fails the job, and every input row comes out exactly once.
 */
public final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScorePartition.class);

    /** Predicted label index (int). */
    public static final String PREDICTED_INDEX = "predicted_index";
    /** Probability of every label, in label order (array of double). */
    public static final String CLASS_PROBABILITIES = "class_probabilities";
    /** The review's token count before truncation (int). */
    public static final String TOKEN_COUNT = "token_count";
    /** Sequences scored for the review (int). */
    public static final String WINDOWS = "windows";
    /** Whether part of the review was not read (boolean). */
    public static final String TRUNCATED = "truncated";
    /** The model's error message for a rejected review (string). */
    public static final String REJECT_DETAIL = "reject_detail";

    private final ModelBundle bundle;
    private final ModelConfig config;
    private final boolean tokenTypes;
    private final int textIndex;
    private final int reasonIndex;
    private final int skipIndex;
    private final LongAccumulator progress;
    private final SerializableConfiguration hadoop;

    /**
     * @param bundle the model, as opened on the driver
     * @param config how to run it
     * @param tokenTypes whether to send token type ids
     * @param inputSchema the schema of the rows to score
     * @param textColumn the text column's name
     * @param reasonColumn the reject reason column's name: rows that have one pass through unscored; model errors
     *     set it
     * @param skipColumn a boolean column: rows where it is true pass through unscored (already scored)
     * @param progress counts the rows handled, for progress reports; null for none (Spark Connect)
     * @param hadoop the Hadoop configuration executors read a model URI with; null for a local model path
     */
    public ScorePartition(ModelBundle bundle, ModelConfig config, boolean tokenTypes, StructType inputSchema,
                          String textColumn, String reasonColumn, String skipColumn, LongAccumulator progress,
                          SerializableConfiguration hadoop) {
        this.bundle = bundle;
        this.config = config;
        this.tokenTypes = tokenTypes;
        this.textIndex = inputSchema.fieldIndex(textColumn);
        this.reasonIndex = inputSchema.fieldIndex(reasonColumn);
        this.skipIndex = inputSchema.fieldIndex(skipColumn);
        this.progress = progress;
        this.hadoop = hadoop;
    }

    /** The input schema with the prediction columns appended. */
    public static StructType outputSchema(StructType inputSchema) {
        return inputSchema
                .add(PREDICTED_INDEX, DataTypes.IntegerType, true)
                .add(CLASS_PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType, false), true)
                .add(TOKEN_COUNT, DataTypes.IntegerType, true)
                .add(WINDOWS, DataTypes.IntegerType, true)
                .add(TRUNCATED, DataTypes.BooleanType, true)
                .add(REJECT_DETAIL, DataTypes.StringType, true);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        DjlEnvironment.ensureOffline();
        Device device = TaskDevice.forCurrentTask(config.device());
        SentimentModel model = ExecutorModels.get(bundle, tokenTypes, device, config.threads(),
                hadoop == null ? null : hadoop.value());
        SentimentPredictor predictor = model.newPredictor(config);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> predictor.close());
        }
        return new ScoringIterator(rows, predictor, task == null);
    }

    private final class ScoringIterator implements Iterator<Row> {
        private final Iterator<Row> input;
        private final SentimentPredictor predictor;
        private final boolean closeWhenDone;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private final int groupSize = config.batchSize() * config.bucketWindow();

        ScoringIterator(Iterator<Row> input, SentimentPredictor predictor, boolean closeWhenDone) {
            this.input = input;
            this.predictor = predictor;
            this.closeWhenDone = closeWhenDone;
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && input.hasNext()) {
                scoreNextGroup();
            }
            if (ready.isEmpty() && closeWhenDone) {
                predictor.close();
            }
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.removeFirst();
        }

        private void scoreNextGroup() {
            List<Row> group = new ArrayList<>(groupSize);
            List<String> texts = new ArrayList<>(groupSize);
            int passed = 0;
            while (group.size() < groupSize && input.hasNext()) {
                Row row = input.next();
                if (!row.isNullAt(reasonIndex) || row.getBoolean(skipIndex)) {
                    ready.add(append(row, null, null, null, null, null, null, null));
                    passed++;
                    continue;
                }
                group.add(row);
                texts.add(row.getString(textIndex));
            }
            if (progress != null) {
                progress.add(passed);
            }
            if (group.isEmpty()) {
                return;
            }
            List<Prediction> predictions;
            try {
                predictions = predictor.predict(texts);
            } catch (Exception e) {
                LOG.warn("The model failed on a group of {} reviews ({}); scoring them one by one", group.size(),
                        e.toString());
                predictions = null;
            }
            if (predictions == null) {
                scoreOneByOne(group, texts);
            } else {
                for (int i = 0; i < group.size(); i++) {
                    ready.add(scored(group.get(i), predictions.get(i)));
                }
            }
            if (progress != null) {
                progress.add(group.size());
            }
        }

        private void scoreOneByOne(List<Row> group, List<String> texts) {
            for (int i = 0; i < group.size(); i++) {
                try {
                    ready.add(scored(group.get(i), predictor.predict(List.of(texts.get(i))).get(0)));
                } catch (Exception e) {
                    ready.add(rejected(group.get(i), e));
                }
            }
        }
    }

    private Row scored(Row row, Prediction prediction) {
        return append(row, null, prediction.predictedIndex(), prediction.probabilities(), prediction.tokens(),
                prediction.windows(), prediction.truncated(), null);
    }

    private Row rejected(Row row, Exception error) {
        String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
        return append(row, RejectReason.MODEL_ERROR.code(), null, null, null, null, null,
                message.length() > 2000 ? message.substring(0, 2000) : message);
    }

    private Row append(Row row, String reason, Integer predicted, double[] probabilities, Integer tokens,
                       Integer windows, Boolean truncated, String detail) {
        Object[] values = new Object[row.length() + 6];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        if (reason != null) {
            values[reasonIndex] = reason;
        }
        int at = row.length();
        values[at] = predicted;
        values[at + 1] = probabilities;
        values[at + 2] = tokens;
        values[at + 3] = windows;
        values[at + 4] = truncated;
        values[at + 5] = detail;
        return RowFactory.create(values);
    }
}
