package org.maha.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP service: Jetty 12's core handler API (no servlet container) in front of {@link Endpoints}. This class
 * owns the server's life: it binds, checks the API key, admits a bounded number of requests, writes every answer
 * (errors as JSON, never a stack trace), logs one JSON line per request and records metrics; {@link #close()}
 * stops accepting, lets requests in flight finish (up to the stop timeout), then closes the detectors.
 */
public final class MahaServer implements AutoCloseable {
  /** Every route the service answers; {@code openapi.json} documents exactly these (a test checks it). */
  static final List<Route> ROUTES = List.of(
      new Route("GET", "/", true),
      new Route("GET", "/v2/health/live", true),
      new Route("GET", "/v2/health/ready", true),
      new Route("GET", "/v2", false),
      new Route("GET", "/v1/models", false),
      new Route("GET", "/v2/models/{name}", false),
      new Route("GET", "/v2/models/{name}/ready", false),
      new Route("POST", "/v2/models/{name}/infer", false),
      new Route("POST", "/v1/models/{name}/score", false),
      new Route("PUT", "/v1/models/{name}", false),
      new Route("GET", "/metrics", false),
      new Route("GET", "/openapi.json", false));

  private static final long STOP_TIMEOUT_MS = 30_000;

  private final ServeConfig config;
  private final ModelRegistry registry;
  private final Server server;
  private final ServerConnector connector;
  private final Semaphore admission;
  private final Metrics metrics;
  private final Endpoints endpoints;
  private volatile boolean stopping;
  private ModelWatcher watcher; // guarded by this

  private MahaServer(ServeConfig config, ModelRegistry registry) {
    this.config = config;
    this.registry = registry;
    Limits l = config.limits();
    this.admission = new Semaphore(l.maxConcurrent() + l.maxQueue());
    this.metrics = new Metrics(() -> l.maxConcurrent() + l.maxQueue() - admission.availablePermits(),
        l.maxConcurrent());
    this.endpoints = new Endpoints(config, registry, metrics, this::ready);
    // threads: every admitted request, plus health checks, selectors and acceptors, never an unbounded number
    QueuedThreadPool pool = new QueuedThreadPool(l.maxConcurrent() + l.maxQueue() + 16, 4);
    pool.setName("maha-http");
    this.server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(16 * 1024);
    this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(30_000); // a client that stops sending mid-body is dropped, not waited for
    connector.setShutdownIdleTimeout(10_000); // while draining, a request still uploading gets 10 s of silence
    server.addConnector(connector);
    // at most maxConnections sockets: beyond them Jetty stops accepting (clients wait in the accept queue) and
    // closes idle keep-alive connections after 5 s instead of 30, to make room
    NetworkConnectionLimit connections = new NetworkConnectionLimit(l.maxConnections(), connector);
    connections.setEndPointIdleTimeout(5_000);
    server.addBean(connections);
    server.setHandler(new GracefulHandler(new Dispatch()));
    server.setErrorHandler(new JsonErrors());
    server.setStopTimeout(STOP_TIMEOUT_MS);
    server.setStopAtShutdown(false); // the caller decides (maha serve stops it on SIGTERM)
  }

  /**
   * Loads the models and starts listening.
   *
   * @param config what to serve and how
   * @return the running server; close it
   * @throws ServeException when a model or backbone cannot be loaded, or the address cannot be bound
   */
  public static MahaServer start(ServeConfig config) throws ServeException {
    ModelRegistry registry = ModelRegistry.open(config);
    MahaServer s = new MahaServer(config, registry);
    try {
      s.server.start();
    } catch (Exception e) {
      registry.close();
      try {
        s.server.stop();
      } catch (Exception ignored) {
        // already failing
      }
      throw new ServeException("cannot listen on " + config.host() + ":" + config.port() + " ("
          + (e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString()) + ")");
    }
    return s;
  }

  /**
   * The port actually bound (the chosen one when the configuration said 0).
   *
   * @return the TCP port
   */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * How many distinct backbone sessions the models share.
   *
   * @return the number of open detectors
   */
  public int backboneSessions() {
    return registry.detectorCount();
  }

  /**
   * Waits until the server has stopped.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void join() throws InterruptedException {
    server.join();
  }

  /**
   * Hot swap from disk: from now on, polls the served models' files every {@code interval} and serves a file that
   * changes to another model as a {@code PUT} would (verified, swapped atomically; requests in flight finish on the
   * old model); a file that is refused is logged and the old model keeps serving. Calling it again does nothing.
   *
   * @param interval how often the files are looked at
   */
  public synchronized void watchModelFiles(java.time.Duration interval) {
    if (watcher == null && !stopping) {
      watcher = new ModelWatcher(registry, config, interval);
    }
  }

  /** Graceful stop: readiness turns false, new requests get 503, requests in flight finish; then the detectors close. */
  @Override
  public void close() {
    stopping = true;
    synchronized (this) {
      if (watcher != null) {
        watcher.close();
      }
    }
    try {
      server.stop();
    } catch (Exception e) {
      config.log().accept("error while stopping the HTTP server: " + e);
    }
    endpoints.closeBatchers();
    registry.close();
  }

  private boolean ready() {
    return !stopping && server.isStarted();
  }

  /** The router and the rules every request goes through. */
  private final class Dispatch extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      long start = System.nanoTime();
      Exchange x = new Exchange(request);
      Reply reply;
      try {
        reply = route(request, x);
      } catch (HttpError e) {
        reply = Reply.error(e);
      } catch (OutOfMemoryError e) {
        reply = Reply.error(new HttpError(503, "not enough memory for this request now; retry later or send "
            + "fewer or smaller images", "5"));
      } catch (Throwable t) { // a bug: logged with its trace here, never sent to the client
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        config.log().accept("internal error on " + request.getMethod() + " " + x.path + ": " + w);
        reply = Reply.error(new HttpError(500, "internal error; the server log has the details"));
      }
      response.setStatus(reply.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
      if (!x.bodyRead && hasBody(request)) {
        // refused before its body was read (401, 404, 503...): Jetty closes such a connection after answering, and
        // saying so up front keeps a client from sending its next request on a socket about to be closed
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      response.write(true, ByteBuffer.wrap(reply.body()), callback);
      long nanos = System.nanoTime() - start;
      metrics.request(x.route, x.model, reply.status(), nanos);
      accessLog(request, x, reply, nanos);
      return true;
    }

    private Reply route(Request request, Exchange x) throws Exception {
      List<String> path = List.of(x.path.substring(1).split("/", -1));
      List<String> allowed = new ArrayList<>();
      for (Route r : ROUTES) {
        String name = r.match(path);
        if (name == null) {
          continue;
        }
        if (!r.method().equals(request.getMethod())) {
          allowed.add(r.method());
          continue;
        }
        x.route = r.template();
        if (!r.open()) {
          authorize(request);
        }
        if (!name.isEmpty()) {
          try {
            ServeConfig.requireName(name);
          } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
          }
          if (registry.get(name) == null) {
            throw new HttpError(404, "no model named '" + name + "' (served: " + String.join(", ", registry.names())
                + ")");
          }
          x.model = name;
        }
        return switch (r.method() + " " + r.template()) {
          case "POST /v1/models/{name}/score", "POST /v2/models/{name}/infer", "PUT /v1/models/{name}" ->
              admitted(request, r, name, x);
          default -> endpoints.get(r.template(), name);
        };
      }
      if (!allowed.isEmpty()) {
        throw new HttpError(405, request.getMethod() + " is not allowed here; use " + String.join(" or ", allowed));
      }
      throw new HttpError(404, "no such endpoint; see /openapi.json");
    }

    /** Admission before the body is read: beyond the queue the answer is 503 at once, holding no memory. */
    private Reply admitted(Request request, Route r, String name, Exchange x) throws Exception {
      if (!admission.tryAcquire()) {
        throw new HttpError(503, "busy: " + (config.limits().maxConcurrent() + config.limits().maxQueue())
            + " requests are being scored or waiting; retry shortly", "1");
      }
      try {
        LoadedModel model = registry.get(name); // the model when the request arrived answers it, even after a swap
        byte[] body = readBody(request, r.method().equals("PUT") ? config.limits().maxModelBytes()
            : config.limits().maxBodyBytes());
        x.bodyRead = true;
        x.bytesIn = body.length;
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        return switch (r.template()) {
          case "/v1/models/{name}/score" -> endpoints.score(model, type, body, x);
          case "/v2/models/{name}/infer" -> endpoints.infer(model, type, body, x);
          default -> endpoints.replace(name, body);
        };
      } finally {
        admission.release();
      }
    }
  }

  private void authorize(Request request) throws HttpError {
    if (config.apiKeys().isEmpty()) {
      return;
    }
    String key = request.getHeaders().get("X-API-Key");
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = auth.substring(7).strip();
    }
    if (!config.apiKeys().get().accepts(key)) {
      throw new HttpError(401, key == null ? "an API key is required: send 'Authorization: Bearer KEY' or "
          + "'X-API-Key: KEY'" : "the API key is not valid");
    }
  }

  /** Whether the request carries a body: a positive declared length, or chunked transfer. */
  private static boolean hasBody(Request request) {
    return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
  }

  /**
   * Reads and drops up to {@link #DRAIN_BYTES} more of a body over the limit, so that a client still sending one a
   * little over it reads the 413 rather than a connection reset; a larger rest is left and the connection closed.
   */
  private static void drain(InputStream in) {
    try {
      byte[] sink = new byte[1 << 16];
      for (long left = DRAIN_BYTES; left > 0;) {
        int n = in.read(sink, 0, (int) Math.min(left, sink.length));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException e) {
      // the client stopped: the 413 is the answer either way
    }
  }

  /** How much of a body over the limit is read and dropped before the 413, at most. */
  static final long DRAIN_BYTES = 4L << 20;

  /**
   * The body, refused with 413 before reading when its declared length is over {@code max}, and cut off at
   * {@code max + 1} bytes when it has no declared length (chunked): memory grows with what was read, never past the
   * limit.
   */
  static byte[] readBody(Request request, long max) throws HttpError {
    long declared = request.getLength();
    if (declared > max) {
      if (declared - max <= DRAIN_BYTES) {
        try (InputStream in = Request.asInputStream(request)) {
          drain(in);
        } catch (IOException e) {
          // the 413 is the answer either way
        }
      }
      throw new HttpError(413, "request body of " + declared + " bytes is over the limit of " + max + " bytes");
    }
    byte[] b;
    try (InputStream in = Request.asInputStream(request)) {
      b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
      if (b.length > max) {
        drain(in);
      }
    } catch (IOException e) { // the client stopped sending, or too slowly: its fault, not the server's
      throw new HttpError(400, "the request body could not be read to its end (the client stopped sending or was "
          + "too slow)");
    }
    if (b.length > max) {
      throw new HttpError(413, "request body is over the limit of " + max + " bytes");
    }
    return b;
  }

  private void accessLog(Request request, Exchange x, Reply reply, long nanos) {
    ObjectNode o = Reply.JSON.createObjectNode();
    o.put("time", Instant.now().toString());
    o.put("remote", Request.getRemoteAddr(request));
    o.put("method", request.getMethod());
    o.put("path", x.path.length() > 200 ? x.path.substring(0, 200) + "..." : x.path);
    o.put("route", x.route);
    o.put("model", x.model);
    o.put("status", reply.status());
    o.put("ms", Math.round(nanos / 1e4) / 100.0);
    o.put("bytesIn", x.bytesIn);
    o.put("bytesOut", reply.body().length);
    o.put("images", x.images);
    config.accessLog().accept(o.toString());
  }

  /** What the access log and metrics say about one request, filled in as it is handled. */
  static final class Exchange {
    final String path;
    final String query; // the raw query string, or null
    String route = "unmatched";
    String model = "-";
    long bytesIn;
    boolean bodyRead;
    int images;
    long queuedNanos = -1; // with micro-batching: the wait for a gathered batch
    org.maha.api.StageTimings stages; // of the scoring call, once scored

    Exchange(Request request) {
      String p = request.getHttpURI().getDecodedPath();
      this.path = p == null || p.isEmpty() ? "/" : p;
      this.query = request.getHttpURI().getQuery();
    }
  }

  /** Errors Jetty raises itself (malformed HTTP, headers too large): the same JSON shape, no stack, no HTML. */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object status = request.getAttribute(ERROR_STATUS);
      int code = status instanceof Integer i ? i : response.getStatus();
      if (code < 400) {
        code = 500;
      }
      if (code == 505) { // an unknown HTTP version is the client's error: a 4xx, as every malformed request gets
        code = 400;
      }
      String reason = org.eclipse.jetty.http.HttpStatus.getMessage(code);
      response.setStatus(code);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      byte[] body = ("{\"error\":\"" + reason.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

}
