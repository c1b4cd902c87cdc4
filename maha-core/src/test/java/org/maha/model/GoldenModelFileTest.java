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
 * Model files written by maha 0.1 (format version 1) and by the first maha that kept training statistics (format
 * version 2) must keep loading and scoring the same in every later version, and version-2 files must stay
 * updatable. The golden files were written once by {@link #main}; the scores beside them were computed then.
 */
class GoldenModelFileTest {
  static final String DIR = "/org/maha/model/";
  static final List<String> VARIANTS = List.of("mvg", "sed", "npca:0.9");
  /** The variants with training statistics, written as golden version-2 files. */
  static final List<String> V2_VARIANTS = List.of("mvg", "sed");

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

  @Test
  void formatVersion2FilesLoadScoreTheSameAndStillUpdate() throws Exception {
    JsonNode expected;
    try (InputStream in = getClass().getResourceAsStream(DIR + "golden-v2-scores.json")) {
      expected = new ObjectMapper().readTree(in);
    }
    double[][][] probes = ModelFileTest.features(4, 99);
    double[][][] more = ModelFileTest.features(9, 43);
    for (String v : V2_VARIANTS) {
      Path file = tmp.resolve(fileName(2, v));
      try (InputStream in = getClass().getResourceAsStream(DIR + fileName(2, v))) {
        Files.copy(in, file);
      }
      GaussianAdModel m = ModelFile.read(file);
      for (int i = 0; i < probes.length; i++) {
        assertThat(m.score(probes[i]).score())
            .isCloseTo(expected.path(v).get(i).asDouble(), org.assertj.core.api.Assertions.within(1e-12));
      }
      assertThat(m.statistics().history()).extracting(TrainingStatistics.Step::action).containsExactly("fit");
      GaussianAdFitter resumed = GaussianAdFitter.resume(m);
      for (double[][] x : more) {
        resumed.add(x);
      }
      ModelAssertions.assertSameModel(resumed.fit("x"), ModelFileTest.fit(Variant.parse(v),
          ModelUpdatesTest.concat(ModelFileTest.features(30, 42), more)), 1e-10);
    }
  }

  static String fileName(String variant) {
    return fileName(1, variant);
  }

  static String fileName(int version, String variant) {
    return "golden-v" + version + "-" + variant.replace(':', '_') + ".maha";
  }

  /**
   * Writes golden files of the current format version (only when it changes): args[0] = resource folder. The
   * variants: {@link #VARIANTS} for version 1, {@link #V2_VARIANTS} for version 2.
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int version = ModelFile.FLOAT_VERSION; // version 3 only adds the int8 record (GoldenModelFileTest does not fit one)
    Map<String, double[]> scores = new LinkedHashMap<>();
    double[][][] probes = ModelFileTest.features(4, 99);
    for (String v : version == 1 ? VARIANTS : V2_VARIANTS) {
      GaussianAdModel m = ModelFileTest.fit(Variant.parse(v), ModelFileTest.features(30, 42));
      ModelFile.write(m, dir.resolve(fileName(version, v)));
      double[] s = new double[probes.length];
      for (int i = 0; i < probes.length; i++) {
        s[i] = m.score(probes[i]).score();
      }
      scores.put(v, s);
    }
    Files.write(dir.resolve("golden-v" + version + "-scores.json"),
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(scores));
  }
}
