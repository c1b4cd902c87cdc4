package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --parallel}: images side by side on many images by default (one call per core, batch 1), one call with
 * every core for a few images or when --threads is given; explicit values win; out of range is refused.
 */
class ParallelOptionTest {
  @TempDir Path dir;

  @Test
  void theDefaultDependsOnTheWorkAndOnThreads() {
    int cores = Math.min(Runtime.getRuntime().availableProcessors(), 16);
    BackboneOptions o = new BackboneOptions();
    assertThat(o.parallel()).as("unknown work").isEqualTo(1);
    assertThat(o.batch()).isEqualTo(16);
    o.workImages = 4L * cores;
    assertThat(o.parallel()).isEqualTo(cores > 1 ? cores : 1);
    assertThat(o.batch()).isEqualTo(cores > 1 ? 1 : 16);
    o.workImages = 4L * cores - 1;
    assertThat(o.parallel()).as("few images: one call with every core").isEqualTo(1);
    o.workImages = Long.MAX_VALUE;
    o.threads = 2;
    assertThat(o.parallel()).as("--threads given: as before").isEqualTo(1);
    o.threads = 0;
    o.parallel = 3;
    assertThat(o.parallel()).isEqualTo(3);
    assertThat(o.batch()).isEqualTo(1);
    o.batch = 8;
    assertThat(o.batch()).isEqualTo(8);
  }

  @Test
  void outOfRangeIsRefusedBeforeAnyWork() {
    for (String n : new String[] {"0", "257"}) {
      var r = CliHarness.run("fit", "--parallel", n, "-o", dir.resolve("m.maha").toString(), dir.toString());
      assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
      assertThat(r.err()).contains("--parallel must be");
    }
  }
}
