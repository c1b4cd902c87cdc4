package org.maha.catalog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP server on 127.0.0.1 (ephemeral port) that serves byte arrays, honouring Range requests or not, and
 * records every request, so download tests never leave the machine. Unknown paths answer 404.
 */
final class LoopbackServer implements AutoCloseable {
  /** One request as the server saw it. */
  record Request(String path, String range) {}

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/} */
  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  URI url(String path) {
    return base().resolve(path);
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Serves {@code body} at {@code /path}; with {@code honourRange}, a {@code bytes=S-} request gets 206 and the rest. */
  void serve(String path, byte[] body, boolean honourRange) {
    server.createContext("/" + path, ex -> {
      String range = record(ex);
      Matcher m = range == null ? null : RANGE.matcher(range);
      if (honourRange && m != null && m.matches()) {
        int start = Integer.parseInt(m.group(1));
        if (start >= body.length) {
          ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
          ex.sendResponseHeaders(416, -1);
          ex.close();
          return;
        }
        ex.getResponseHeaders().add("Content-Range",
            "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
        send(ex, 206, body, start, body.length - start);
      } else {
        send(ex, 200, body, 0, body.length);
      }
    });
  }

  /** Answers {@code /from} with a 302 to {@code /to}. */
  void redirect(String from, String to) {
    server.createContext("/" + from, ex -> {
      record(ex);
      ex.getResponseHeaders().add("Location", url(to).toString());
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
  }

  /** Announces all of {@code body}, sends its first {@code sent} bytes, then goes silent until closed. */
  void stall(String path, byte[] body, int sent) {
    server.createContext("/" + path, ex -> {
      record(ex);
      ex.sendResponseHeaders(200, body.length);
      OutputStream out = ex.getResponseBody();
      out.write(body, 0, sent);
      out.flush();
      try {
        closing.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
  }

  private String record(HttpExchange ex) {
    String range = ex.getRequestHeaders().getFirst("Range");
    requests.add(new Request(ex.getRequestURI().getPath(), range));
    return range;
  }

  private static void send(HttpExchange ex, int status, byte[] body, int off, int len) throws IOException {
    ex.sendResponseHeaders(status, len);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body, off, len);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
