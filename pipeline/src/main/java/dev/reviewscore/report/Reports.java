package dev.reviewscore.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a run's reports into {@code <reports folder>/<run id>/}, through Hadoop's file systems: the folder may be a
 * local path or a URI ({@code hdfs://}, {@code s3a://}, {@code abfss://}, a {@code /Volumes/...} path), like every
 * table location.
 */
public final class Reports {
    private Reports() {}

    /**
     * Writes report.md, report.json and report.html.
     *
     * @param folder the reports folder (output.reports)
     * @param hadoop the Hadoop settings to reach it with
     * @param report the run
     * @return the files written, as paths or URIs like the folder
     */
    public static List<String> write(String folder, Configuration hadoop, RunReport report) {
        Path dir = new Path(folder, report.runId());
        Map<String, String> files = new LinkedHashMap<>();
        files.put("report.md", MarkdownReport.render(report));
        files.put("report.json", JsonReport.render(report));
        files.put("report.html", HtmlReport.render(report));
        try {
            FileSystem fs = dir.getFileSystem(hadoop);
            fs.setWriteChecksum(false); // no .crc files beside local reports
            fs.mkdirs(dir);
            List<String> written = new ArrayList<>();
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = new Path(dir, file.getKey());
                try (FSDataOutputStream out = fs.create(path, true)) {
                    out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                }
                written.add(path.toString());
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write reports to " + dir + ". Fix: make output.reports a folder "
                    + "this job can write to (a local path or a Hadoop file system URI).", e);
        }
    }
}
