package dev.reviewscore.source;

import java.util.List;

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
}
