package dev.reviewscore.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a run's reports into {@code <reports folder>/<run id>/}. */
public final class Reports {
    private Reports() {}

    /**
     * Writes report.md, report.json and report.html.
     *
     * @param folder the reports folder (output.reports)
     * @param report the run
     * @return the files written
     */
    public static List<Path> write(Path folder, RunReport report) {
        Path dir = folder.resolve(report.runId());
        try {
            Files.createDirectories(dir);
            Path markdown = Files.writeString(dir.resolve("report.md"), MarkdownReport.render(report),
                    StandardCharsets.UTF_8);
            Path json = Files.writeString(dir.resolve("report.json"), JsonReport.render(report),
                    StandardCharsets.UTF_8);
            Path html = Files.writeString(dir.resolve("report.html"), HtmlReport.render(report),
                    StandardCharsets.UTF_8);
            return List.of(markdown, json, html);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write reports to " + dir, e);
        }
    }
}
