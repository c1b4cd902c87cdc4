package org.maha.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maha.testing.SharedData;

/**
 * Known answers from numpy 1.24 / scikit-learn 1.2.1: {@code kfold_cases.json} written by the committed
 * {@code make_fixtures.py}, and the official MVTec split in {@code shared/mvtec_kfold_heldout.json}.
 */
class KFoldTest {
  private static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = KFoldTest.class.getResourceAsStream("kfold_cases.json")) {
      assertThat(in).as("test resource org/maha/data/kfold_cases.json").isNotNull();
      cases = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void mt19937RawDrawsMatchNumpyLegacySeeding() {
    int checked = 0;
    for (JsonNode c : cases.get("mt19937_raw")) {
      long seed = c.get("seed").asLong();
      Mt19937 mt = new Mt19937(seed);
      JsonNode expected = c.get("uint32");
      for (int i = 0; i < expected.size(); i++) {
        assertThat(mt.nextUint32()).as("seed %d draw %d", seed, i).isEqualTo(expected.get(i).asLong());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(6 * 700);
  }

  @Test
  void mt19937MatchesTheReferenceImplementationForSeed5489() {
    // Matsumoto & Nishimura's mt19937ar.c with init_genrand(5489): first output 3499211612, 10000th 4123659995
    // (the value the C++ standard requires of std::mt19937, [rand.predef]).
    Mt19937 mt = new Mt19937(5489);
    assertThat(mt.nextUint32()).isEqualTo(3499211612L);
    for (int i = 2; i < 10000; i++) {
      mt.nextUint32();
    }
    assertThat(mt.nextUint32()).isEqualTo(4123659995L);
  }

  @Test
  void shuffleMatchesNumpyRandomStateShuffle() {
    for (JsonNode c : cases.get("shuffle")) {
      int n = c.get("n").asInt();
      int[] perm = IntStream.range(0, n).toArray();
      new Mt19937(c.get("seed").asLong()).shuffleInPlace(perm);
      assertThat(perm).as("n=%d seed=%d", n, c.get("seed").asLong()).containsExactly(ints(c.get("perm")));
    }
  }

  @Test
  void heldOutMatchesSklearnKFoldForManySizesFoldsAndSeeds() {
    int compared = 0;
    for (JsonNode c : cases.get("kfold")) {
      if (c.has("error")) {
        continue;
      }
      int n = c.get("n").asInt();
      int k = c.get("k").asInt();
      long seed = c.get("seed").asLong();
      int[][] folds = KFold.heldOut(n, k, seed);
      JsonNode expected = c.get("held_out");
      assertThat(folds).as("n=%d k=%d seed=%d", n, k, seed).hasNumberOfRows(expected.size());
      for (int f = 0; f < k; f++) {
        assertThat(folds[f]).as("n=%d k=%d seed=%d fold %d", n, k, seed, f).containsExactly(ints(expected.get(f)));
      }
      compared++;
    }
    // n 1..20 × k {2,3,5,10} × 4 seeds minus the k > n cases, plus {60,209,391,1000} × k {5,10} × 4 seeds.
    assertThat(compared).isGreaterThan(250);
  }

  @Test
  void refusesMoreFoldsThanSamplesLikeSklearn() {
    int refused = 0;
    for (JsonNode c : cases.get("kfold")) {
      if (c.has("error")) {
        int n = c.get("n").asInt();
        int k = c.get("k").asInt();
        assertThatThrownBy(() -> KFold.heldOut(n, k, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("k=" + k)
            .hasMessageContaining("n=" + n);
        refused++;
      }
    }
    assertThat(refused).isPositive();
  }

  @Test
  void heldOutFoldsPartitionAllIndicesWithSklearnSizes() {
    int n = 23;
    int k = 5;
    int[][] folds = KFold.heldOut(n, k, 3);
    assertThat(Arrays.stream(folds).mapToInt(f -> f.length).toArray()).containsExactly(5, 5, 5, 4, 4);
    assertThat(Arrays.stream(folds).flatMapToInt(Arrays::stream).sorted().toArray())
        .containsExactly(IntStream.range(0, n).toArray());
  }

  @Test
  void fitIndicesAreTheAscendingComplementOfTheHeldOutFold() {
    int n = 209;
    int[][] folds = KFold.heldOut(n, 5, 0);
    for (int f = 0; f < 5; f++) {
      int[] fit = KFold.fitIndices(n, 5, 0, f);
      int[] held = folds[f];
      assertThat(fit).isSorted().hasSize(n - held.length);
      assertThat(IntStream.concat(Arrays.stream(fit), Arrays.stream(held)).sorted().toArray())
          .containsExactly(IntStream.range(0, n).toArray());
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> KFold.heldOut(10, 1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k=1");
    assertThatThrownBy(() -> KFold.heldOut(10, 5, -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> KFold.heldOut(10, 5, 1L << 32)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KFold.fitIndices(10, 5, 0, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 5");
  }

  @Test
  void matchesTheOfficialMvtecSplitForEveryCategoryAndFold() throws IOException {
    Path file = SharedData.require("mvtec_kfold_heldout.json");
    JsonNode categories = new ObjectMapper().readTree(file.toFile()).get("categories");
    assertThat(categories.size()).isEqualTo(15);
    for (Map.Entry<String, JsonNode> e : categories.properties()) {
      int n = e.getValue().get("n_train").asInt();
      JsonNode heldOut = e.getValue().get("held_out");
      JsonNode fitSizes = e.getValue().get("n_fit_per_fold");
      int[][] folds = KFold.heldOut(n, 5, 0);
      for (int f = 0; f < 5; f++) {
        assertThat(folds[f]).as("%s fold %d", e.getKey(), f).containsExactly(ints(heldOut.get(f)));
        assertThat(KFold.fitIndices(n, 5, 0, f)).as("%s fold %d", e.getKey(), f).hasSize(fitSizes.get(f).asInt());
      }
    }
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
