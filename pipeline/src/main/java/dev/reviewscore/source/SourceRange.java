package dev.reviewscore.source;

import java.util.Locale;

/**
 * What a run read of its source: all of it, or only the rows changed in a range of a Delta table's versions.
 *
 * @param read {@value #ALL} or {@value #CHANGES}
 * @param tableId Delta's id of the source table, or null when the source is not Delta
 * @param fromVersion the first version whose changes were read; null when the run read the whole source
 * @param toVersion the version read up to (inclusive); null when the source is not Delta
 * @param reason why the whole source was read; null when the run read changes
 */
public record SourceRange(String read, String tableId, Long fromVersion, Long toVersion, String reason) {
    /** The whole source was read. */
    public static final String ALL = "all";
    /** Only the rows its change data feed lists were read. */
    public static final String CHANGES = "changes";

    /** Whether the run read only changes. */
    public boolean changesOnly() {
        return CHANGES.equals(read);
    }

    /** One line for the run's account, for example {@code changes of versions 4 to 6}. */
    public String describe() {
        if (changesOnly()) {
            return fromVersion > toVersion ? String.format(Locale.ROOT, "no changes after version %d", toVersion)
                    : String.format(Locale.ROOT, "changes of versions %d to %d", fromVersion, toVersion);
        }
        return (toVersion == null ? "all rows" : "all rows of version " + toVersion) + " (" + reason + ")";
    }
}
