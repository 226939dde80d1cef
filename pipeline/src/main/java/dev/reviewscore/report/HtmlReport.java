package dev.reviewscore.report;

import dev.reviewscore.sink.RunHistory;
import dev.reviewscore.metrics.ScoreCurves;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The HTML report of a run: one self-contained file (Chart.js, styles and data inlined; no request leaves the page)
 * with the model-card headline, ROC and precision-recall curves, the confusion matrix, score histograms per true
 * class, the calibration curve with its expected calibration error, metrics over past runs, this run's score
 * monitoring, the slices and the scoring summary. The page sets {@code data-rendered="true"} on its body once every
 * chart is drawn, and lists script errors in its {@code #errors} element.
 */
public final class HtmlReport {
    private static final String TEMPLATE = "dev/reviewscore/report/report.html";
    private static final int HISTOGRAM_BINS = 20;

    private HtmlReport() {}

    /** Renders the report. */
    public static String render(RunReport report) {
        Map<String, Object> data = new LinkedHashMap<>(JsonReport.tree(report));
        data.put("model_card", ModelCardBlock.render(report.evaluation().overall()));
        ScoreCurves curves = report.evaluation().curves();
        if (curves != null && report.evaluation().overall().labeled() > 0) {
            Map<String, Object> drawn = new LinkedHashMap<>();
            drawn.put("roc", xy(curves.roc()));
            drawn.put("pr", xy(curves.precisionRecall()));
            long[][] histograms = curves.histograms(HISTOGRAM_BINS);
            List<String> bins = new ArrayList<>();
            for (int i = 0; i < HISTOGRAM_BINS; i++) {
                bins.add(String.format(Locale.ROOT, "%.2f", (double) i / HISTOGRAM_BINS));
            }
            drawn.put("histogram", Map.of("bins", bins, "negatives", histograms[0], "positives", histograms[1]));
            drawn.put("calibration", curves.calibration(JsonReport.CALIBRATION_BINS));
            data.put("curves", drawn);
        } else {
            data.put("curves", null);
        }
        List<Map<String, Object>> history = new ArrayList<>();
        for (RunHistory.Run run : report.history().runs()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("run_id", run.runId());
            point.put("at", run.at().toString());
            point.put("version", run.modelVersion());
            point.put("values", run.values());
            point.put("intervals", run.intervals());
            history.add(point);
        }
        data.put("history", history);
        String title = report.evaluation().modelName() + " evaluation " + report.runId();
        return resource(TEMPLATE)
                .replace("__TITLE__", escape(title))
                .replace("__CHART_JS__", chartJs())
                .replace("__REPORT_DATA__", JsonReport.write(data));
    }

    private static List<double[]> xy(List<ScoreCurves.Point> points) {
        return points.stream().map(p -> new double[] {p.x(), p.y()}).toList();
    }

    private static String chartJs() {
        Properties versions = new Properties();
        try (InputStream in = HtmlReport.class.getResourceAsStream("chartjs.properties")) {
            versions.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("chartjs.properties is missing from the application jar", e);
        }
        String script = resource("META-INF/resources/webjars/chart.js/" + versions.getProperty("version")
                + "/dist/chart.umd.js");
        if (script.contains("</script")) {
            throw new IllegalStateException("chart.umd.js contains </script and cannot be inlined");
        }
        return script;
    }

    private static String resource(String path) {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the application jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path, e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
