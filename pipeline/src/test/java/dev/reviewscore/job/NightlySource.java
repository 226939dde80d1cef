package dev.reviewscore.job;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The model-based test's own picture of the source table: its rows, as plain Java values, and what a fresh full run
 * must make of them, decided by rules written here for the test (in plain loops, not with the project's code): which
 * review gets a score of which text, label and pass-through values, and which rows are rejected for which reason.
 */
final class NightlySource {
    /** Label values the source uses: the mapped names, and one the mapping does not know unless told. */
    static final String POSITIVE = "positive";
    static final String NEGATIVE = "negative";
    static final String UNKNOWN = "meh";
    private static final Pattern BLANK = Pattern.compile("(?U)^\\s*$");

    /**
     * One row of the source.
     *
     * @param id the review id, null for a row without one
     * @param text the text, null or blank for rows that cannot be scored
     * @param label positive, negative, meh or null (unlabeled)
     * @param movie a pass-through value (a slice), may be null
     * @param reviewDate a pass-through value (a slice by month), may be null
     * @param delivery which insert wrote the row: tells two copies of an id apart (not a pass-through column)
     */
    record SourceRow(String id, String text, String label, String movie, LocalDate reviewDate, long delivery) {
        SourceRow withText(String newText) {
            return new SourceRow(id, newText, label, movie, reviewDate, delivery);
        }

        SourceRow withLabel(String newLabel) {
            return new SourceRow(id, text, newLabel, movie, reviewDate, delivery);
        }

        SourceRow withMovie(String newMovie) {
            return new SourceRow(id, text, label, newMovie, reviewDate, delivery);
        }

        /** What tells copies of an id apart for the job: text, label and pass-through values. */
        List<Object> values() {
            return java.util.Arrays.asList(text, label, movie, reviewDate);
        }
    }

    /**
     * A review a fresh full run scores.
     *
     * @param row the row it scores
     * @param labelIndex 0 negative, 1 positive, -1 unlabeled
     */
    record Expected(SourceRow row, int labelIndex) {}

    /**
     * A row a fresh full run rejects.
     *
     * @param row the row
     * @param reason the reason code
     */
    record Rejected(SourceRow row, String reason) {}

    private final List<SourceRow> rows = new ArrayList<>();
    private long deliveries;
    private long ids;

    /** The rows, in delivery order. */
    List<SourceRow> rows() {
        return List.copyOf(rows);
    }

    /** A new review id. */
    String newId() {
        return String.format("r%05d", ++ids);
    }

    /** The next delivery number. */
    long nextDelivery() {
        return ++deliveries;
    }

    void add(SourceRow row) {
        rows.add(row);
    }

    /** Replaces every row of these ids by what {@code change} makes of it. */
    void change(Set<String> changedIds, java.util.function.UnaryOperator<SourceRow> change) {
        rows.replaceAll(row -> row.id() != null && changedIds.contains(row.id()) ? change.apply(row) : row);
    }

    /** Removes the rows {@code remove} picks. */
    void removeIf(java.util.function.Predicate<SourceRow> remove) {
        rows.removeIf(remove);
    }

    /** The distinct review ids, sorted. */
    List<String> idList() {
        return rows.stream().map(SourceRow::id).filter(Objects::nonNull).distinct().sorted().toList();
    }

    /** Ids picked by a fraction in [0, 1) of the sorted id list: {@code count} consecutive ids from there. */
    List<String> pick(double at, int count) {
        List<String> all = idList();
        if (all.isEmpty()) {
            return List.of();
        }
        int start = (int) Math.floor(at * all.size());
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < Math.min(count, all.size()); i++) {
            picked.add(all.get((start + i) % all.size()));
        }
        return picked;
    }

    /** Ids with more than one row. */
    List<String> repeatedIds() {
        Map<String, Integer> counts = new TreeMap<>();
        rows.stream().filter(row -> row.id() != null).forEach(row -> counts.merge(row.id(), 1, Integer::sum));
        return counts.entrySet().stream().filter(entry -> entry.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /**
     * What a fresh full run makes of the rows, by the rules the job documents: a row without an id, with a null or
     * blank text, or with a label the mapping does not know is rejected for that; of the copies of one id, when all
     * have the same text, label and pass-through values one is scored and the others are duplicates, and when they
     * differ none is scored (rows rejected for another reason keep it).
     *
     * @param unknownIsNegative whether the settings map {@value #UNKNOWN} to the negative label
     * @param scored the scored review of each id
     * @param rejected the rejected rows
     */
    void expect(boolean unknownIsNegative, Map<String, Expected> scored, List<Rejected> rejected) {
        Map<String, List<SourceRow>> byId = new LinkedHashMap<>();
        for (SourceRow row : rows) {
            if (row.id() == null) {
                rejected.add(new Rejected(row, "null_review_id"));
            } else {
                byId.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row);
            }
        }
        for (List<SourceRow> copies : byId.values()) {
            Map<SourceRow, String> reasons = new HashMap<>();
            for (SourceRow row : copies) {
                String reason = reason(row, unknownIsNegative);
                if (reason != null) {
                    reasons.put(row, reason);
                }
            }
            boolean differ = copies.stream().map(SourceRow::values).distinct().count() > 1;
            boolean first = true;
            for (SourceRow row : copies.stream().sorted(Comparator.comparingLong(SourceRow::delivery)).toList()) {
                String reason = reasons.get(row);
                if (reason == null && copies.size() > 1) {
                    reason = differ ? "conflicting_duplicate_id" : first ? null : "duplicate_row";
                }
                first = false;
                if (reason != null) {
                    rejected.add(new Rejected(row, reason));
                } else {
                    scored.put(row.id(), new Expected(row, labelIndex(row.label(), unknownIsNegative)));
                }
            }
        }
    }

    private static String reason(SourceRow row, boolean unknownIsNegative) {
        if (row.text() == null) {
            return "null_text";
        }
        if (BLANK.matcher(row.text()).matches()) {
            return "empty_text";
        }
        if (UNKNOWN.equals(row.label()) && !unknownIsNegative) {
            return "unknown_label";
        }
        return null;
    }

    private static int labelIndex(String label, boolean unknownIsNegative) {
        if (label == null) {
            return -1;
        }
        return POSITIVE.equals(label) ? 1 : NEGATIVE.equals(label) || (UNKNOWN.equals(label) && unknownIsNegative)
                ? 0 : -1;
    }
}
