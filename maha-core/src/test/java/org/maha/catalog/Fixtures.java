package org.maha.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Known answers written by {@code make_fixtures.py} next to them, and the payload they describe. */
final class Fixtures {
  private Fixtures() {}

  static final JsonNode EXPECTED = load("catalog_expected.json");

  static JsonNode load(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("fixture " + name + " not on the test class path; run make_fixtures.py");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The test payload: byte i = (i*i + 7*i + 3) mod 251, the same formula as make_fixtures.py. */
  static byte[] payload() {
    int n = EXPECTED.get("payload").get("length").asInt();
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (((long) i * i + 7L * i + 3) % 251);
    }
    return b;
  }

  /** SHA-256 of {@link #payload()} as hashlib computed it. */
  static String payloadSha256() {
    return EXPECTED.get("payload").get("sha256").asText();
  }
}
