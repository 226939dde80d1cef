package dev.reviewscore.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark's result table, printed as Markdown so that it can be pasted into BENCHMARKS.md as it is.
 *
 * @param title what was measured
 * @param header column names
 * @param rows the rows, each as wide as the header
 */
public record MarkdownTable(String title, List<String> header, List<List<String>> rows) {

    /** An empty table with the given columns. */
    public MarkdownTable(String title, String... header) {
        this(title, List.of(header), new ArrayList<>());
    }

    /** Adds a row of values formatted with {@link String#valueOf}. */
    public void add(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, header " + header.size());
        }
        List<String> row = new ArrayList<>();
        for (Object value : values) {
            row.add(String.valueOf(value));
        }
        rows.add(row);
    }

    /** The table with its title as a heading. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder("### ").append(title).append("\n\n| ");
        md.append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> md.append("---|"));
        md.append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return md.toString();
    }
}
