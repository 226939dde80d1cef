package dev.reviewscore.config;

import java.io.Serializable;

/**
 * Where a table lives: a Delta table at a path (local path or Hadoop FileSystem URI) or a catalog table name.
 * Exactly one of the two is set.
 *
 * @param path the table's folder, or null
 * @param table the catalog name (for example {@code reviews.scored}), or null
 */
public record TableLocation(String path, String table) implements Serializable {

    /** Checks that exactly one of path and table is set. */
    public TableLocation {
        if ((path == null) == (table == null)) {
            throw new IllegalArgumentException("exactly one of path and table must be set");
        }
    }

    /** A Delta table at a path. */
    public static TableLocation atPath(String path) {
        return new TableLocation(path, null);
    }

    /** A catalog table. */
    public static TableLocation named(String table) {
        return new TableLocation(null, table);
    }

    /** Whether this is a catalog table rather than a path. */
    public boolean isCatalogTable() {
        return table != null;
    }

    @Override
    public String toString() {
        return isCatalogTable() ? "table " + table : "path " + path;
    }
}
