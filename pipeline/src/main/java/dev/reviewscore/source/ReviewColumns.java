package dev.reviewscore.source;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;

/** Names of the canonical review columns that {@link ReviewSource} produces from any source table. */
public final class ReviewColumns {
    /** The review id, as a string. */
    public static final String REVIEW_ID = "review_id";
    /** The review text. */
    public static final String TEXT = "text";
    /** The true label's name in the model's labels, or null when unlabeled. */
    public static final String LABEL = "label";
    /** The true label's index in the model's labels, or null when unlabeled. */
    public static final String LABEL_INDEX = "label_index";
    /** The label value as the source has it, as a string. */
    public static final String SOURCE_LABEL = "source_label";
    /** SHA-256 of the text (hex): a changed text is scored again. */
    public static final String TEXT_HASH = "text_hash";
    /** Why the row cannot be scored, or null. */
    public static final String REJECT_REASON = "reject_reason";

    /** The raw text of a record the reader could not parse (CSV and JSON sources), else null. */
    public static final String MALFORMED_RECORD = "malformed_record";

    /** Columns every normalized review row has, in order, before the pass-through columns. */
    public static final List<String> CANONICAL = List.of(REVIEW_ID, TEXT, LABEL, LABEL_INDEX, SOURCE_LABEL, TEXT_HASH,
            REJECT_REASON, MALFORMED_RECORD);

    private ReviewColumns() {}

    /**
     * The name of the label at a 0-based index, null where the index is null. Every label lookup by index goes
     * through here: Spark's {@code element_at} over a literal array declares itself never null under ANSI mode,
     * whatever its index ({@code ElementAt.nullable} and {@code GetArrayItemUtil.computeNullabilityFromArray} in
     * Spark's catalyst), so the optimizer drops a later {@code IS NULL} test and the generated code answers the
     * array's last label for a null index.
     *
     * @param labels the labels in index order
     * @param index a column of label indexes
     */
    public static Column labelAt(List<String> labels, Column index) {
        Column names = array(labels.stream().map(name -> lit(name)).toArray(Column[]::new));
        return when(index.isNotNull(), element_at(names, index.plus(1)));
    }
}
