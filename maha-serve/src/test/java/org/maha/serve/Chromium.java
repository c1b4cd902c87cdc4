package org.maha.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the JDK's own WebSocket
 * client: no WebDriver binary and no test dependency beyond what maha-serve has. Enough for a page test: navigate,
 * evaluate JavaScript, type, set a file input's files, take a screenshot.
 */
final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** The browser on the PATH ({@code chromium}, as Debian names it, or {@code chromium-browser}), if any. */
  static Optional<Path> find() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : new String[] {"chromium", "chromium-browser"}) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Starts the browser headless on a free loopback port with a fresh profile in {@code dir}, attached to its tab. */
  static Chromium start(Path browser, Path dir) throws Exception {
    Path err = dir.resolve("chromium.err");
    Process p = new ProcessBuilder(browser.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--window-size=1280,900", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--user-data-dir=" + dir.resolve("profile"), "about:blank")
        .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String browserUrl = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (browserUrl == null) {
        Matcher m = LISTENING.matcher(Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "");
        if (m.find()) {
          browserUrl = m.group(1);
        } else if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("chromium did not start: " + Files.readString(err));
        } else {
          Thread.sleep(100);
        }
      }
      URI b = URI.create(browserUrl);
      HttpClient http = HttpClient.newHttpClient();
      String list = http.send(HttpRequest.newBuilder(URI.create("http://" + b.getHost() + ":" + b.getPort()
          + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
      String pageUrl = null;
      for (JsonNode t : JSON.readTree(list)) {
        if ("page".equals(t.path("type").asText())) {
          pageUrl = t.get("webSocketDebuggerUrl").asText();
          break;
        }
      }
      if (pageUrl == null) {
        throw new IllegalStateException("chromium has no page target: " + list);
      }
      Chromium[] self = new Chromium[1];
      Listener listener = new Listener(self);
      WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), listener).get(30, TimeUnit.SECONDS);
      self[0] = new Chromium(p, ws);
      return self[0];
    } catch (Exception | Error e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** Sends one DevTools command and waits for its result. */
  JsonNode send(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params == null ? JSON.createObjectNode() : params);
    socket.sendText(msg.toString(), true).get(30, TimeUnit.SECONDS);
    JsonNode r = f.get(60, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IllegalStateException(method + ": " + r.get("error"));
    }
    return r.path("result");
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  void navigate(String url) throws Exception {
    send("Page.navigate", params().put("url", url));
  }

  /** The value of a JavaScript expression (awaited if a promise), as JSON. */
  JsonNode eval(String expression) throws Exception {
    JsonNode r = send("Runtime.evaluate", params().put("expression", expression).put("returnByValue", true)
        .put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("JavaScript failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Waits until {@code expression} is truthy, returning its value. */
  JsonNode await(String expression, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode v = eval(expression);
      if (!v.isMissingNode() && !v.isNull() && !(v.isBoolean() && !v.asBoolean()) && !(v.isTextual()
          && v.asText().isEmpty())) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + expression + "; page text: "
            + eval("document.body ? document.body.innerText : ''"));
      }
      Thread.sleep(100);
    }
  }

  /** Types {@code text} into the focused element, as a keyboard would. */
  void type(String text) throws Exception {
    send("Input.insertText", params().put("text", text));
  }

  /** Sets the files of the {@code <input type=file>} matched by {@code selector}, firing its change event. */
  void setFiles(String selector, Path... files) throws Exception {
    int root = send("DOM.getDocument", params()).path("root").path("nodeId").asInt();
    int node = send("DOM.querySelector", params().put("nodeId", root).put("selector", selector)).path("nodeId")
        .asInt();
    ObjectNode p = params().put("nodeId", node);
    var arr = p.putArray("files");
    for (Path f : files) {
      arr.add(f.toAbsolutePath().toString());
    }
    send("DOM.setFileInputFiles", p);
  }

  /** A PNG screenshot of the page. */
  byte[] screenshot() throws Exception {
    return java.util.Base64.getDecoder().decode(send("Page.captureScreenshot", params().put("format", "png"))
        .path("data").asText());
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the browser is killed next anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Collects text frames into messages and completes the command each answers. */
  private static final class Listener implements WebSocket.Listener {
    private final Chromium[] owner;
    private final StringBuilder partial = new StringBuilder();

    Listener(Chromium[] owner) {
      this.owner = owner;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode msg = JSON.readTree(text);
          if (msg.has("id") && owner[0] != null) {
            CompletableFuture<JsonNode> f = owner[0].pending.remove(msg.get("id").asInt());
            if (f != null) {
              f.complete(msg);
            }
          }
        } catch (Exception ignored) {
          // events and unparsable frames are not answers to a command
        }
      }
      ws.request(1);
      return null;
    }
  }
}
