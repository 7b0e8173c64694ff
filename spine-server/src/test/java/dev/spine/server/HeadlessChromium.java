package dev.spine.server;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium driven through {@code chromedriver}'s W3C WebDriver HTTP API with
 * {@code java.net.http}: no Selenium on the class path. One instance is one chromedriver process and one
 * browser session; {@link #close()} ends the session (chromedriver stops its browser) and then the
 * chromedriver process this class started, by its handle. Missing binaries are a test failure that says
 * what to install, never a skip.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C key under which an element reference travels. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process driver;
    private final Path profile;
    private final String base;
    private String session;

    private HeadlessChromium(Process driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
    }

    /** Fails the test, naming the packages, when Chromium or chromedriver is not installed. */
    static void requireInstalled() {
        requireInstalled(List.of(CHROMIUM, CHROMEDRIVER));
    }

    static void requireInstalled(List<Path> binaries) {
        for (Path p : binaries) {
            if (!Files.isExecutable(p)) {
                fail(p + " is missing: the dashboard test needs headless Chromium. Install it with "
                        + "`apt-get update && apt-get install -y chromium chromium-driver` (.ci/run does this on CI)");
            }
        }
    }

    /** Starts chromedriver on a free port and opens a headless browser session. */
    static HeadlessChromium start(Path logDir, int width, int height) throws IOException, InterruptedException {
        requireInstalled();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(logDir);
        Process p = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(logDir.resolve("chromedriver.log").toFile()).start();
        HeadlessChromium c = new HeadlessChromium(p, Files.createTempDirectory("spine-chromium-"),
                "http://127.0.0.1:" + port);
        try {
            c.awaitDriver();
            c.openSession(width, height);
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void awaitDriver() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!driver.isAlive()) {
                fail("chromedriver exited with " + driver.exitValue() + " (see target/chromedriver.log)");
            }
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("chromedriver did not answer on " + base + " within 15 s");
    }

    private void openSession(int width, int height) {
        ObjectNode options = JSON.createObjectNode().put("binary", CHROMIUM.toString());
        for (String arg : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height)) {
            options.withArray("args").add(arg);
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode always = body.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.set("goog:chromeOptions", options);
        session = call("POST", "/session", body).path("value").path("sessionId").asText(null);
        if (session == null) {
            fail("chromedriver opened no session");
        }
    }

    void open(String url) {
        command("POST", "/url", JSON.createObjectNode().put("url", url));
    }

    /** Every element matching the CSS selector now (empty when none). */
    List<String> findAll(String css) {
        JsonNode found = command("POST", "/elements", JSON.createObjectNode().put("using", "css selector").put("value", css));
        List<String> ids = new ArrayList<>();
        found.forEach(e -> ids.add(e.path(ELEMENT).asText()));
        return ids;
    }

    /** The first element matching {@code css}, waiting up to {@code timeout} for one to appear. */
    String await(String css, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> found = findAll(css);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            if (System.nanoTime() > deadline) {
                fail("no element '" + css + "' on the page within " + timeout.toSeconds() + " s; page text:\n" + pageText());
            }
            Thread.sleep(100);
        }
    }

    void awaitGone(String css, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!findAll(css).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("element '" + css + "' still on the page after " + timeout.toSeconds() + " s; page text:\n" + pageText());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Clicks the element matching {@code css}. The page re-renders its tables every few seconds, so an
     * element found a moment ago may be stale by the click: then it is looked up again. On a busy machine the
     * look-up and the click (two WebDriver round trips) can straddle a re-render every time (CI, 2026-12-05: six
     * stale clicks in a row); after five, the element is found and clicked in one script run, as {@link #text}
     * reads it.
     */
    void click(String css, Duration timeout) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            String id = await(css, timeout);
            if (attempt == 5) {
                boolean clicked = script("const e = document.querySelector(arguments[0]); if (!e) return false; "
                        + "e.click(); return true", css).asBoolean();
                if (!clicked) {
                    fail("click on '" + css + "' failed: the element was gone again before it could be clicked");
                }
                return;
            }
            JsonNode r = call("POST", "/session/" + session + "/element/" + id + "/click", JSON.createObjectNode());
            String error = r.path("value").path("error").asText("");
            if (error.isEmpty()) {
                return;
            }
            if (!error.equals("stale element reference")) {
                fail("click on '" + css + "' failed: " + r.path("value").path("message").asText());
            }
        }
    }

    /** Whether the element found as {@code elementId} is no longer in the page (replaced by a re-render). */
    boolean stale(String elementId) {
        JsonNode r = call("GET", "/session/" + session + "/element/" + elementId + "/name", null);
        return r.path("value").path("error").asText("").equals("stale element reference");
    }

    /** Returns once the page has refreshed its data {@code times} more times (its "updated …" line changed). */
    void awaitRefreshes(int times, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = text("#refreshed");
        for (int seen = 0; seen < times; ) {
            if (System.nanoTime() > deadline) {
                fail("the page refreshed " + seen + " of " + times + " times within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
            String now = text("#refreshed");
            if (!now.equals(last)) {
                seen++;
                last = now;
            }
        }
    }

    void type(String css, String text) throws InterruptedException {
        String id = await(css, Duration.ofSeconds(10));
        command("POST", "/element/" + id + "/value", JSON.createObjectNode().put("text", text));
    }

    // attribute and text are read in one script run: the page may re-render between two WebDriver calls

    String attribute(String css, String name) throws InterruptedException {
        await(css, Duration.ofSeconds(10));
        return script("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null",
                css, name).asText(null);
    }

    String text(String css) throws InterruptedException {
        await(css, Duration.ofSeconds(10));
        return script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", css).asText();
    }

    /** Runs a script in the page and returns its result. */
    JsonNode script(String js, String... args) {
        ObjectNode body = JSON.createObjectNode().put("script", js);
        var array = body.putArray("args");
        for (String a : args) {
            array.add(a);
        }
        return command("POST", "/execute/sync", body);
    }

    String pageText() {
        return script("return document.body ? document.body.innerText : ''").asText();
    }

    String source() {
        return command("GET", "/source", null).asText();
    }

    /** A PNG of the whole page: the window is first made as tall as the document. */
    void screenshot(Path file) throws IOException {
        int width = script("return window.outerWidth").asInt();
        int chrome = script("return window.outerHeight - window.innerHeight").asInt();
        int height = script("return document.documentElement.scrollHeight").asInt() + chrome;
        command("POST", "/window/rect", JSON.createObjectNode().put("width", width).put("height", height));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(command("GET", "/screenshot", null).asText()));
    }

    private JsonNode command(String method, String path, JsonNode body) {
        JsonNode r = call(method, "/session/" + session + path, body);
        JsonNode value = r.path("value");
        if (value.isObject() && value.has("error")) {
            fail("WebDriver " + method + " " + path + " failed: " + value.path("error").asText() + ": "
                    + value.path("message").asText());
        }
        return value;
    }

    private JsonNode call(String method, String path, JsonNode body) {
        try {
            HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").method(method, publisher).build();
            String reply = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            return JSON.readTree(reply.isEmpty() ? "{}" : reply);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted talking to chromedriver", e);
        }
    }

    @Override
    public void close() {
        try {
            if (session != null && driver.isAlive()) {
                call("DELETE", "/session/" + session, null); // chromedriver stops the browser it started
            }
        } catch (RuntimeException e) {
            // the process is stopped below either way; the test's own outcome is what matters
            System.err.println("closing the WebDriver session failed: " + e);
        } finally {
            stopDriver();
            deleteProfile();
        }
    }

    private void stopDriver() {
        List<ProcessHandle> children = driver.descendants().toList();
        driver.destroy();
        try {
            if (!driver.waitFor(5, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a browser left behind by a failed DELETE: only the ones this chromedriver started
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private void deleteProfile() {
        try (var walk = Files.walk(profile)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete the Chromium profile " + profile + ": " + e);
        }
    }
}
