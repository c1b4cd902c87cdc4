package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maha bench --fit-only}: the fit benchmark alone (scripts/bench_fit.sh), with the kernels it ran on. */
class BenchFitOnlyTest {
  @Test
  void fitOnlyNeedsNoBackboneAndNamesItsKernels(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("fit.json");
    CliHarness.Result r = CliHarness.run("bench", "--fit-only", "--fit-n", "300", "--fit-dim", "80", "--repeats",
        "1", "-o", json.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("accumulate 300 rows + Ledoit-Wolf + Cholesky), d = 80: median")
        .containsPattern("kernels: (native BLAS/LAPACK|pure Java)");
    JsonNode node = new ObjectMapper().readTree(json.toFile());
    assertThat(node.get("fit").get("n").asInt()).isEqualTo(300);
    assertThat(node.get("fit").get("medianMs").asDouble()).isPositive();
    assertThat(node.get("fit").get("shrinkage").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void fitOnlyWithoutRowsIsAUsageError() {
    CliHarness.Result r = CliHarness.run("bench", "--fit-only", "--fit-n", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--fit-only needs --fit-n");
  }
}
