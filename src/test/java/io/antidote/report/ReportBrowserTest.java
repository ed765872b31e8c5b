package io.antidote.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/** Opens report.html in headless Chromium and checks that its charts are painted and its numbers are result.json's. */
class ReportBrowserTest {
    // Debian's chromium and chromium-driver packages; using them means Selenium Manager never downloads a browser or driver.
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path profiles;

    private static ChromeDriver driver;

    // The test sends no DevTools commands, so Selenium's warning that it has no CDP bindings for this Chromium is noise;
    // the loggers are held here because java.util.logging keeps only weak references to them.
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
            Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    private static final String NOT_INSTALLED = "Chromium not installed: skipping browser test (apt-get install chromium chromium-driver)";

    @BeforeAll
    static void startChromium() {
        QUIET.forEach(l -> l.setLevel(Level.SEVERE));
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            // Surefire shows nothing for a class skipped in @BeforeAll, so say it here and skip each test in @BeforeEach.
            System.err.println(NOT_INSTALLED);
            return;
        }
        // Both the property and the explicit service keep Selenium from consulting Selenium Manager.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profiles.resolve("chromium-profile").toAbsolutePath(),
                // any host name fails to resolve, so a stray fetch could not leave the machine even if the page tried
                "--host-resolver-rules=MAP * ~NOTFOUND",
                // one CSS pixel per screenshot pixel, so element sizes and screenshot sizes agree
                "--force-device-scale-factor=1", "--window-size=1200,900", "--hide-scrollbars");
        // the performance log lists every request the page started, including ones that failed
        options.setCapability("goog:loggingPrefs", Map.of(LogType.PERFORMANCE, "ALL"));
        driver = new ChromeDriver(service, options);
    }

    @BeforeEach
    void needsChromium() {
        Assumptions.assumeTrue(driver != null, NOT_INSTALLED);
    }

    @AfterAll
    static void stopChromium() {
        if (driver != null) driver.quit();
    }

    @Test
    void ablReportPaintsEveryChartAndShowsResultJsonsNumbers(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.abl(tmp.resolve("abl-badnets"));
        open(HtmlReport.write(run));
        JsonNode result = JSON.readTree(run.resolve("result.json").toFile());

        assertFinal(result.get("ca").doubleValue(), "final-ca");
        assertFinal(result.get("asr").doubleValue(), "final-asr");
        Map<String, JsonNode> lastEpochs = lastEpochPerStage(run.resolve("metrics.jsonl"));
        assertEquals(List.of("isolation", "finetune", "unlearning"), List.copyOf(lastEpochs.keySet()));
        for (Map.Entry<String, JsonNode> e : lastEpochs.entrySet()) {
            assertFinal(e.getValue().get("ca").doubleValue(), "stage-" + e.getKey() + "-ca");
            assertFinal(e.getValue().get("asr").doubleValue(), "stage-" + e.getKey() + "-asr");
        }

        assertChartsPainted(List.of("chart-accuracy", "chart-loss", "chart-isolation-quality", "chart-isolation-losses"));
        assertNoNetwork();
        saveFullPageScreenshot();
    }

    @Test
    void demoReportShowsTheDefendedModelOfResultJson(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.demo(tmp.resolve("demo"));
        open(HtmlReport.write(run));
        JsonNode result = JSON.readTree(run.resolve("result.json").toFile());

        // the demo nests one result per model; the page's final numbers are the defended model's
        assertFinal(result.at("/abl/ca").doubleValue(), "final-ca");
        assertFinal(result.at("/abl/asr").doubleValue(), "final-asr");
        assertFinal(result.at("/no_defense/ca").doubleValue(), "ca-no-defense");
        assertFinal(result.at("/no_defense/asr").doubleValue(), "asr-no-defense");
        assertChartsPainted(List.of("chart-accuracy", "chart-loss", "chart-isolation-quality"));
        assertNoNetwork();
    }

    private static void open(Path report) {
        // clear the performance log so assertNoNetwork sees only this page's requests
        driver.manage().logs().get(LogType.PERFORMANCE);
        driver.get(report.toUri().toString());
        assertEquals("complete", js("return document.readyState"));
    }

    /** The cell's data-value is the exact number and its text is that number as a percentage with two decimals. */
    private static void assertFinal(double expected, String id) {
        WebElement cell = driver.findElement(By.id(id));
        assertEquals(expected, Double.parseDouble(cell.getAttribute("data-value")), id);
        assertEquals(String.format(Locale.ROOT, "%.2f%%", 100 * expected), cell.getText(), id);
        assertTrue(cell.isDisplayed(), id);
    }

    private static void assertChartsPainted(List<String> ids) throws IOException {
        List<WebElement> charts = driver.findElements(By.cssSelector("svg"));
        assertEquals(ids, charts.stream().map(c -> c.getAttribute("id")).toList());
        for (WebElement chart : charts) {
            String id = chart.getAttribute("id");
            // a chart that straddles the bottom of the window comes out of an element screenshot blank
            js("arguments[0].scrollIntoView({block: 'center'})", chart);
            Rectangle box = chart.getRect();
            assertTrue(box.getWidth() > 100 && box.getHeight() > 50, id + " laid out at " + box.getWidth() + "x" + box.getHeight());

            // data marks only (series lines, their dots, histogram bars), not the frame, grid or legend every chart has;
            // each mark's rendered box is taken relative to the chart so it can be found in the chart's screenshot
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> marks = (List<Map<String, Object>>) js("""
                    const svg = arguments[0].getBoundingClientRect();
                    return Array.from(arguments[0].querySelectorAll('g.line polyline, g.line circle, g.bars rect')).map(m => {
                      const b = m.getBoundingClientRect();
                      return {tag: m.tagName, x: b.left - svg.left, y: b.top - svg.top, w: b.width, h: b.height}; });""", chart);
            assertFalse(marks.isEmpty(), id + " has no drawn series");
            double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = 0, y1 = 0;
            for (Map<String, Object> m : marks) {
                double x = num(m, "x"), y = num(m, "y"), w = num(m, "w"), h = num(m, "h");
                assertTrue(w > 0 || h > 0, id + ": a " + m.get("tag") + " has an empty bounding box");
                x0 = Math.min(x0, x);
                y0 = Math.min(y0, y);
                x1 = Math.max(x1, x + w);
                y1 = Math.max(y1, y + h);
            }

            // markup can be present yet unpainted; the series' palette colours must show up where the marks are
            BufferedImage shot = ImageIO.read(new ByteArrayInputStream(chart.getScreenshotAs(OutputType.BYTES)));
            int painted = colouredPixels(shot, (int) Math.floor(x0), (int) Math.floor(y0), (int) Math.ceil(x1), (int) Math.ceil(y1));
            assertTrue(painted >= 20, id + ": only " + painted + " coloured pixels where its series are");
        }
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    /** Pixels far from grey inside a box: the axes, grid and text are grey or black, the series are palette colours. */
    private static int colouredPixels(BufferedImage img, int left, int top, int right, int bottom) {
        int n = 0;
        for (int y = Math.max(0, top); y < Math.min(img.getHeight(), bottom); y++) {
            for (int x = Math.max(0, left); x < Math.min(img.getWidth(), right); x++) {
                int rgb = img.getRGB(x, y), r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) n++;
            }
        }
        return n;
    }

    private static void assertNoNetwork() throws IOException {
        List<String> urls = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) urls.add(message.at("/params/request/url").asText());
        }
        assertTrue(urls.stream().anyMatch(u -> u.startsWith("file:") && u.endsWith("report.html")),
                "the performance log recorded not even the page itself: " + urls);
        // Chromium's own pages (a new-tab or web-store page it may open at start) load chrome:// and data: resources,
        // which never touch the network; anything else that is not a file is a request the report made.
        List<String> network = urls.stream().filter(u -> !u.startsWith("file:") && !u.startsWith("chrome:") && !u.startsWith("data:")).toList();
        assertTrue(network.isEmpty(), "the page requested " + network);

        // the page's own view: resource timing lists every subresource it loaded
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) js("return performance.getEntriesByType('resource').map(e => e.name)");
        assertTrue(resources.stream().allMatch(u -> u.startsWith("file:")), "the page loaded " + resources);
    }

    /** Grows the window to the page's height first, since a WebDriver screenshot covers only the viewport. */
    private static void saveFullPageScreenshot() throws IOException {
        Dimension before = driver.manage().window().getSize();
        long height = ((Number) js("return document.documentElement.scrollHeight")).longValue();
        // the window size counts the browser's own frame, which even headless Chromium keeps
        long frame = before.getHeight() - ((Number) js("return window.innerHeight")).longValue();
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + frame, 16000)));
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        driver.manage().window().setSize(before);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, png);
        BufferedImage img = ImageIO.read(SCREENSHOT.toFile());
        assertNotNull(img, "the screenshot is not a readable PNG");
        assertTrue(img.getHeight() >= Math.min(height, 16000 - frame), "screenshot " + img.getHeight() + " px high, page " + height);
    }

    /** Each stage's last epoch line with a CA, in file order; isolation-quality lines are not a training stage. */
    private static Map<String, JsonNode> lastEpochPerStage(Path metrics) throws IOException {
        Map<String, JsonNode> last = new LinkedHashMap<>();
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            if (n.has("ca")) last.put(n.get("stage").asText(), n);
        }
        return last;
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }
}
