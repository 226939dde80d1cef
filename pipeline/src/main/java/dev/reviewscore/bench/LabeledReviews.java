package dev.reviewscore.bench;

import dev.reviewscore.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Labeled reviews read from one of the team's shared CSV files ({@code id,text,label} or
 * {@code id,text,label,rating}; RFC 4180 quoting, one record per line, 1 = positive).
 *
 * @param ids review ids
 * @param texts review texts
 * @param labels 1 for positive, 0 for negative
 */
public record LabeledReviews(List<String> ids, List<String> texts, int[] labels) {

    /** The number of reviews. */
    public int size() {
        return texts.size();
    }

    /**
     * Reads reviews from a shared CSV file.
     *
     * @param file the CSV file
     * @param only ids to keep, or null for all
     * @param limit at most this many reviews
     */
    public static LabeledReviews read(Path file, Set<String> only, int limit) {
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            boolean rated = header != null && header.trim().equals("id,text,label,rating");
            for (String line = reader.readLine(); line != null && ids.size() < limit; line = reader.readLine()) {
                int first = line.indexOf(',');
                int last = line.lastIndexOf(',');
                int labelAt = rated ? line.lastIndexOf(',', last - 1) : last;
                String id = line.substring(0, first);
                if (only != null && !only.contains(id)) {
                    continue;
                }
                String quoted = line.substring(first + 1, labelAt);
                ids.add(id);
                texts.add(quoted.substring(1, quoted.length() - 1).replace("\"\"", "\""));
                labels.add(Integer.parseInt(line.substring(labelAt + 1, rated ? last : line.length()).trim()));
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("Cannot read labeled reviews from " + file + ": " + e
                    + ". Fix: point --data at the shared data folder (its README describes the format).", e);
        }
        return new LabeledReviews(ids, texts, labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
