package dev.reviewscore.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.job.Action;
import dev.reviewscore.job.JobRun;
import dev.reviewscore.config.JobConfig;
import dev.reviewscore.config.JobConfigLoader;
import dev.reviewscore.testing.TestPaths;
import dev.reviewscore.testing.TestSpark;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a person sees it: a real headless Chromium (Debian's package; .ci/run installs it) opens the
 * report a pipeline run wrote, with every network address unreachable, and the page must draw its charts without a
 * script error, show the headline numbers, and not be blank.
 */
class HtmlReportBrowserTest {
    @TempDir
    static Path dir;

    private static Path report;
    private static Path challengerReport;
    private static String markdown;

    @BeforeAll
    static void runThePipeline() throws IOException {
        JobConfig config = new JobConfigLoader(TestPaths.project()).load(Path.of("conf/local.conf"), List.of(
                "output.scored.path=" + dir.resolve("scored"), "output.rejects.path=" + dir.resolve("rejects"),
                "output.metrics.path=" + dir.resolve("metrics"), "output.reports=" + dir.resolve("reports")))
                .config();
        TestSpark.session();
        String champion = JobRun.execute(Action.RUN, config, JobRun.Listener.NONE).evaluated().evaluation()
                .modelVersion();
        try (Stream<Path> files = Files.walk(dir.resolve("reports"))) {
            List<Path> written = files.toList();
            report = written.stream().filter(p -> p.endsWith("report.html")).findFirst().orElseThrow();
            markdown = Files.readString(written.stream().filter(p -> p.endsWith("report.md")).findFirst()
                    .orElseThrow());
        }
        // a second model version scores the same reviews and is compared with the first
        JobConfig challenger = new JobConfigLoader(TestPaths.project()).load(Path.of("conf/local.conf"), List.of(
                "output.scored.path=" + dir.resolve("scored"), "output.rejects.path=" + dir.resolve("rejects"),
                "output.metrics.path=" + dir.resolve("metrics"), "output.reports=" + dir.resolve("challenger"),
                "model.location=" + TestPaths.fixtureModel("half-logits"), "evaluation.compare-with=" + champion))
                .config();
        JobRun.execute(Action.RUN, challenger, JobRun.Listener.NONE);
        try (Stream<Path> files = Files.walk(dir.resolve("challenger"))) {
            challengerReport = files.filter(p -> p.endsWith("report.html")).findFirst().orElseThrow();
        }
    }

    private static String chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        throw new AssertionError("This test needs a headless Chromium: install Debian's chromium package "
                + "(apt-get install chromium), as .ci/run does.");
    }

    /** Runs headless Chromium offline on the report; returns what it printed to standard output. */
    private static String browse(String... extra) throws Exception {
        return browse(report, extra);
    }

    private static String browse(Path page, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + Files.createTempDirectory(dir, "chrome"),
                "--enable-logging=stderr", "--v=0", "--window-size=1400,2600", "--virtual-time-budget=5000"));
        command.addAll(List.of(extra));
        command.add(page.toUri().toString());
        Path stderr = Files.createTempFile(dir, "chromium", ".log");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "chromium did not finish");
        String log = Files.readString(stderr);
        for (String line : log.split("\n")) {
            assertFalse(line.contains("CONSOLE") && (line.contains("Uncaught") || line.contains("Error")),
                    "console error: " + line);
        }
        return out;
    }

    @Test
    void theChampionAgainstChallengerSectionRenders() throws Exception {
        String dom = browse(challengerReport, "--dump-dom");
        assertTrue(dom.contains("data-rendered=\"true\""), "the page script ran to its end");
        assertTrue(dom.contains("<div id=\"errors\"></div>"), "no script error was caught by the page");
        assertTrue(dom.contains("<h2>Champion against challenger</h2>"), "the section is there");
        assertTrue(dom.contains(">McNemar, exact<") && dom.contains(">DeLong, paired<"), "both tests are shown");
        assertTrue(dom.contains("320 reviews scored by both"), "the paired reviews are counted");
        assertFalse(browse("--dump-dom").contains("<h2>Champion against challenger</h2>"),
                "a report without a comparison has no such section");
    }

    @Test
    void theReportIsSelfContained() throws IOException {
        String html = Files.readString(report);
        assertFalse(Pattern.compile("<(script|img|link|iframe)[^>]+(src|href)=", Pattern.CASE_INSENSITIVE)
                .matcher(html).find(), "the report loads nothing from elsewhere");
        assertFalse(html.contains("url(http"), "no remote style resources");
    }

    @Test
    void chromiumDrawsEveryChartWithoutErrorsAndShowsTheHeadline() throws Exception {
        String dom = browse("--dump-dom");
        assertTrue(dom.contains("data-rendered=\"true\""), "the page script ran to its end");
        Matcher charts = Pattern.compile("data-charts=\"(\\d+)\"").matcher(dom);
        assertTrue(charts.find());
        assertEquals(6, Integer.parseInt(charts.group(1)), "ROC, PR, histogram, calibration, history, monitoring");
        assertTrue(dom.contains("<div id=\"errors\"></div>"), "no script error was caught by the page");
        String accuracy = line(markdown, "- Accuracy: ");
        String f1 = line(markdown, "- F1: ");
        assertTrue(dom.contains(accuracy), "headline " + accuracy);
        assertTrue(dom.contains(f1), "headline " + f1);
        assertTrue(dom.contains("- Auc: "), "AUC line");
        assertTrue(dom.contains(">NEGATIVE<") && dom.contains(">POSITIVE<"), "confusion matrix labels");
    }

    @Test
    void chromiumDrawsTheIntervalsTheReviewsToReadAndTheThresholds() throws Exception {
        String dom = browse("--dump-dom");
        String intervals = line(markdown, "- 95% confidence intervals: ");
        assertTrue(dom.contains(intervals), "the model card's intervals line " + intervals);
        // one accuracy and one AUC band per slice row that has them: the whole table and its slices
        Matcher bands = Pattern.compile("<div class=\"interval\"([^>]*)>").matcher(dom);
        int count = 0;
        while (bands.find()) {
            count++;
            double lower = Double.parseDouble(attribute(bands.group(1), "data-lower=\"([^\"]+)\""));
            double upper = Double.parseDouble(attribute(bands.group(1), "data-upper=\"([^\"]+)\""));
            double left = Double.parseDouble(attribute(bands.group(1), "left: ([0-9.]+)%"));
            double width = Double.parseDouble(attribute(bands.group(1), "width: ([0-9.]+)%"));
            assertTrue(lower <= upper, bands.group());
            assertTrue(left + width <= 100.01, "a band stays on its track: " + bands.group());
        }
        assertTrue(count >= 2 * 10, "interval bands drawn: " + count);
        Matcher bars = Pattern.compile("data-interval-bars=\"(\\d+)\"").matcher(dom);
        assertTrue(bars.find(), "the metrics-over-runs chart drew its interval bars");
        assertTrue(Integer.parseInt(bars.group(1)) >= 3, "accuracy, AUC and macro F1 of this run: " + bars.group());
        assertTrue(dom.contains("<h3>Most confidently wrong, true label NEGATIVE</h3>")
                || dom.contains("<h3>Most confidently wrong, true label POSITIVE</h3>"), "reviews to read");
        assertTrue(dom.contains("<h3>Nearest the 0.5 threshold</h3>"), "reviews near the threshold");
        assertTrue(dom.contains(">highest F1<"), "threshold analysis");
        assertTrue(markdown.contains("## Reviews to read") && markdown.contains("## Thresholds"), markdown);

        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(report.resolveSibling("report.json").toFile());
        com.fasterxml.jackson.databind.JsonNode metrics = json.get("metrics");
        com.fasterxml.jackson.databind.JsonNode accuracy = metrics.get("intervals").get("accuracy");
        assertTrue(accuracy.get("lower").asDouble() < metrics.get("accuracy").asDouble()
                && metrics.get("accuracy").asDouble() < accuracy.get("upper").asDouble(), accuracy.toString());
        assertEquals("wilson", accuracy.get("method").asText());
        assertEquals("poisson-bootstrap", metrics.get("intervals").get("log_loss").get("method").asText());
        assertEquals(2, metrics.get("intervals").get("f1").size(), "an F1 interval per label");
        assertTrue(json.get("slices").get(0).get("intervals").has("accuracy"), "slices carry intervals too");
    }

    @Test
    void aScreenshotIsNotBlank() throws Exception {
        Path png = dir.resolve("report.png");
        browse("--screenshot=" + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "chromium wrote no PNG");
        long inked = 0;
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colors.add(rgb);
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (r + g + b < 600) {
                    inked++;
                }
            }
        }
        long sampled = (long) (image.getHeight() / 2) * (image.getWidth() / 2);
        assertTrue(inked > sampled / 50, "only " + inked + " of " + sampled + " sampled pixels are not near white");
        assertTrue(colors.size() > 100, "only " + colors.size() + " colors: charts are missing");
    }

    private static String attribute(String attributes, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(attributes);
        assertTrue(matcher.find(), pattern + " in " + attributes);
        return matcher.group(1);
    }

    private static String line(String text, String prefix) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with " + prefix);
    }
}
