package dev.reviewscore.config;

import dev.reviewscore.Credentials;
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

    /**
     * A table next to this one, with the given name: in the same folder for a path, in the same schema for a catalog
     * table.
     */
    public TableLocation sibling(String name) {
        if (isCatalogTable()) {
            int dot = table.lastIndexOf('.');
            return named(dot < 0 ? name : table.substring(0, dot + 1) + name);
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        return atPath(slash < 0 ? name : trimmed.substring(0, slash + 1) + name);
    }

    /** The Delta table as Spark SQL names it: the catalog name, or {@code delta.`<path>`}. */
    public String sqlName() {
        return isCatalogTable() ? table : "delta.`" + path.replace("`", "``") + "`";
    }

    /** Whether this is a catalog table rather than a path. */
    public boolean isCatalogTable() {
        return table != null;
    }

    /** {@code path <path>} or {@code table <name>}, with any credentials in the path masked. */
    @Override
    public String toString() {
        return isCatalogTable() ? "table " + table : "path " + Credentials.mask(path);
    }
}
