package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-connections}: with two connections open (kept alive), a third client is not served until one of them
 * closes; then it is. Raw sockets, so that the connections are exactly the ones the test opened.
 */
class ConnectionLimitTest {
  @TempDir Path dir;

  @Test
  void aClientBeyondTheConnectionLimitWaitsUntilAConnectionCloses() throws Exception {
    Fixture f = new Fixture(dir);
    Limits l = Limits.DEFAULT;
    Limits two = new Limits(l.maxBodyBytes(), l.maxImages(), l.maxPixels(), l.maxModelBytes(), l.maxConcurrent(),
        l.maxQueue(), 2);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("m", f.plain), two, Optional.empty(),
        new ArrayList<>()))) {
      Socket a = new Socket("127.0.0.1", s.port());
      try (a; Socket b = new Socket("127.0.0.1", s.port());
          Socket c = new Socket("127.0.0.1", s.port())) { // c: connected in the kernel's queue, not yet accepted
        assertThat(live(a, 10_000)).startsWith("HTTP/1.1 200");
        assertThat(live(b, 10_000)).startsWith("HTTP/1.1 200");
        assertThatThrownBy(() -> live(c, 1_500)).as("a third connection is not served while two are open")
            .isInstanceOf(SocketTimeoutException.class);
        a.shutdownOutput(); // the client hangs up: the server closes its end, and accepts c
        a.getInputStream().readAllBytes();
        c.setSoTimeout(10_000);
        assertThat(readHead(c.getInputStream())).as("served once a connection closed").startsWith("HTTP/1.1 200");
      }
    }
  }

  /** Sends a keep-alive health request and reads the response head (the body is short and not needed). */
  private static String live(Socket s, int timeoutMillis) throws Exception {
    s.setSoTimeout(timeoutMillis);
    s.getOutputStream().write(("GET /v2/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return readHead(s.getInputStream());
  }

  /** The status line and headers, then the body of the Content-Length given (so the connection can be reused). */
  private static String readHead(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int ch = in.read();
      if (ch < 0) {
        break;
      }
      sb.append((char) ch);
    }
    String head = sb.toString();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
    return head;
  }
}
