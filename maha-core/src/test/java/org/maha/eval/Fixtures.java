package org.maha.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the JSON fixtures written by {@code make_fixtures.py} next to them (exact float64 round trip). */
final class Fixtures {
  private Fixtures() {}

  static List<JsonNode> cases(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("fixture " + name + " not on the test class path; run make_fixtures.py");
      }
      List<JsonNode> cases = new ArrayList<>();
      new ObjectMapper().readTree(in).get("cases").forEach(cases::add);
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] vector(JsonNode node) {
    double[] v = new double[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = node.get(i).asDouble();
    }
    return v;
  }

  static boolean[] labels(JsonNode node) {
    boolean[] v = new boolean[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = node.get(i).asBoolean();
    }
    return v;
  }
}
