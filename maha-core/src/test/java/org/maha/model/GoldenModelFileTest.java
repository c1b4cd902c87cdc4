package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files written by maha 0.1 (format version 1) must keep loading and scoring the same in every later
 * version. The golden files were written once by {@link #main}; the scores beside them were computed then.
 */
class GoldenModelFileTest {
  static final String DIR = "/org/maha/model/";
  static final List<String> VARIANTS = List.of("mvg", "sed", "npca:0.9");

  @TempDir Path tmp;

  @Test
  void formatVersion1FilesStillLoadAndScoreTheSame() throws Exception {
    JsonNode expected;
    try (InputStream in = getClass().getResourceAsStream(DIR + "golden-v1-scores.json")) {
      expected = new ObjectMapper().readTree(in);
    }
    double[][][] probes = ModelFileTest.features(4, 99);
    for (String v : VARIANTS) {
      Path file = tmp.resolve(fileName(v));
      try (InputStream in = getClass().getResourceAsStream(DIR + fileName(v))) {
        Files.copy(in, file);
      }
      GaussianAdModel m = ModelFile.read(file);
      assertThat(m.variant().id()).isEqualTo(v);
      JsonNode scores = expected.path(v);
      assertThat(scores).hasSize(probes.length);
      for (int i = 0; i < probes.length; i++) {
        // same float64 arrays, same arithmetic: identical up to the last bits of the triangular solve
        assertThat(m.score(probes[i]).score())
            .isCloseTo(scores.get(i).asDouble(), org.assertj.core.api.Assertions.within(1e-12));
      }
    }
  }

  static String fileName(String variant) {
    return "golden-v1-" + variant.replace(':', '_') + ".maha";
  }

  /** Regenerates the golden files (only when the format version changes): args[0] = resource folder. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Map<String, double[]> scores = new LinkedHashMap<>();
    double[][][] probes = ModelFileTest.features(4, 99);
    for (String v : VARIANTS) {
      GaussianAdModel m = ModelFileTest.fit(Variant.parse(v), ModelFileTest.features(30, 42));
      ModelFile.write(m, dir.resolve(fileName(v)));
      double[] s = new double[probes.length];
      for (int i = 0; i < probes.length; i++) {
        s[i] = m.score(probes[i]).score();
      }
      scores.put(v, s);
    }
    Files.write(dir.resolve("golden-v1-scores.json"),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(scores));
  }
}
