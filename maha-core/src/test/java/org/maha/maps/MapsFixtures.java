package org.maha.maps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads maps_cases.json, written by make_fixtures.py next to it (exact float64 round trip). */
final class MapsFixtures {
  private static JsonNode root;

  private MapsFixtures() {}

  static synchronized List<JsonNode> section(String name) {
    if (root == null) {
      try (InputStream in = MapsFixtures.class.getResourceAsStream("maps_cases.json")) {
        if (in == null) {
          throw new IllegalStateException("maps_cases.json not on the test class path; run make_fixtures.py");
        }
        root = new ObjectMapper().readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<JsonNode> out = new ArrayList<>();
    root.get(name).forEach(out::add);
    return out;
  }

  static double[] doubles(JsonNode node) {
    double[] v = new double[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = node.get(i).asDouble();
    }
    return v;
  }

  static float[] floats(JsonNode node) {
    float[] v = new float[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) node.get(i).asDouble(); // float32 values stored exactly as float64
    }
    return v;
  }

  static int[] ints(JsonNode node) {
    int[] v = new int[node.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = node.get(i).asInt();
    }
    return v;
  }

  static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
