package dev.reviewscore.source;

/**
 * Why a row was not scored. Each rejected row is written to the rejects table with its reason code (the enum name,
 * lower-case), a detail message and its original values.
 */
public enum RejectReason {
    /** The reader could not parse the record (a broken JSON line, a CSV row of the wrong shape or types). */
    MALFORMED_RECORD("the source reader could not parse this record; its raw text is in original.malformed_record"),
    /** The review id is null. */
    NULL_REVIEW_ID("the review id is null; every row needs an id to be written to the scored table"),
    /** The text is null. */
    NULL_TEXT("the review text is null"),
    /** The text is empty or only whitespace. */
    EMPTY_TEXT("the review text is empty or whitespace only"),
    /** The label value is not one the label mapping knows. */
    UNKNOWN_LABEL("the label value is not one the label mapping knows; set source.labels to map it"),
    /** Another row with the same id and identical values is scored instead. */
    DUPLICATE_ROW("an identical row with the same review id is scored instead"),
    /** Rows with this id disagree in text, label or pass-through values; none is scored. */
    CONFLICTING_DUPLICATE_ID("rows with this review id have different values; none of them is scored"),
    /** The model failed on this review. */
    MODEL_ERROR("the model failed on this review");

    private final String detail;

    RejectReason(String detail) {
        this.detail = detail;
    }

    /** The code written to the rejects table. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A sentence saying what the reason means. */
    public String detail() {
        return detail;
    }
}
