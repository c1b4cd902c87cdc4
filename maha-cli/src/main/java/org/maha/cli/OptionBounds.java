package org.maha.cli;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.maha.image.DecodeLimits;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The allowed range of every numeric option of every command, in one table, checked before a command runs (so a
 * bad value costs nothing: no model read, no image listed). Whole numbers and decimals alike; a list option (e.g.
 * bench's --batches) has every element checked. Options that take any value (seeds) are listed in
 * {@link #UNBOUNDED}; a test walks every command and fails on a numeric option in neither.
 */
final class OptionBounds {
  private OptionBounds() {}

  /** Upper bound of every thread-count option, the library's own (BackboneOptions.MAX_THREADS). */
  static final int MAX_THREADS = org.maha.backbone.BackboneOptions.MAX_THREADS;

  /** {@code [min, max]}, or {@code (min, max]} / {@code (min, max)} for decimals that must exceed min / stay below max. */
  record Range(double min, boolean minOpen, double max, boolean maxOpen, String note) {
    static Range closed(double min, double max) {
      return new Range(min, false, max, false, "");
    }

    boolean contains(double v) {
      return (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
    }

    String describe() {
      String lo = minOpen ? "> " + num(min) : ">= " + num(min);
      String hi = maxOpen ? "< " + num(max) : "<= " + num(max);
      if (!minOpen && !maxOpen) {
        return "between " + num(min) + " and " + num(max) + note;
      }
      return lo + " and " + hi + note;
    }

    private static String num(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
  }

  /** By the option's longest name; the same option has the same range in every command. */
  static final Map<String, Range> RANGES = Map.ofEntries(
      Map.entry("--threads", new Range(0, false, MAX_THREADS, false, " (0 = all cores)")),
      Map.entry("--decode-threads", Range.closed(1, MAX_THREADS)),
      Map.entry("--batch", Range.closed(1, org.maha.backbone.BackboneOptions.MAX_BATCH)),
      Map.entry("--parallel", Range.closed(1, MAX_THREADS)),
      Map.entry("--batches", Range.closed(1, org.maha.backbone.BackboneOptions.MAX_BATCH)),
      Map.entry("--max-pixels", Range.closed(1, DecodeLimits.MAX_PIXELS_CEILING)),
      Map.entry("--max-file-bytes", Range.closed(1, DecodeLimits.MAX_FILE_BYTES_CEILING)),
      Map.entry("--input-size", Range.closed(1, 2048)),
      Map.entry("--decode-px", Range.closed(16, 8192)),
      Map.entry("--augment", Range.closed(0, 1000)),
      Map.entry("--target-fpr", new Range(0, true, 1, true, "")),
      // erf(S/sqrt 2) rounds to 1 beyond about 8.2: the chi-square threshold is not computable past it
      Map.entry("--sigma", new Range(0, true, 8, false, "")),
      Map.entry("--folds", Range.closed(1, 100)),
      Map.entry("--top", Range.closed(1, 1001)),
      Map.entry("--images", Range.closed(1, 100_000)),
      Map.entry("--fit-n", new Range(0, false, 100_000, false, " (0 skips the fit benchmark, 1 is not allowed)")),
      Map.entry("--fit-dim", Range.closed(1, 8192)),
      Map.entry("--repeats", Range.closed(1, 1000)),
      Map.entry("--pipeline-images", new Range(0, false, 10_000, false, " (0 skips the whole-pipeline benchmark)")),
      Map.entry("--train-per-class", new Range(0, false, 6000, false, " (0 = all)")),
      Map.entry("--test", new Range(0, false, 10_000, false, " (0 = all)")),
      // serve: the limits of one request and of the queue (bodies are read into one array, so below 2 GiB)
      Map.entry("--port", new Range(0, false, 65535, false, " (0 = any free port)")),
      Map.entry("--max-body-bytes", Range.closed(1, 1L << 30)),
      Map.entry("--max-model-bytes", Range.closed(1, 1L << 30)),
      Map.entry("--max-images", Range.closed(1, 1024)),
      Map.entry("--max-concurrent", Range.closed(1, 256)),
      Map.entry("--max-queue", Range.closed(0, 10_000)),
      Map.entry("--max-connections", Range.closed(1, 100_000)),
      Map.entry("--max-batch", Range.closed(1, org.maha.backbone.BackboneOptions.MAX_BATCH)),
      Map.entry("--max-delay-ms", Range.closed(0, 10_000)),
      Map.entry("--map-channels", Range.closed(1, org.maha.pipeline.MapSettings.MAX_CHANNELS)),
      Map.entry("--int8", Range.closed(1, org.maha.backbone.Int8Quantization.MAX_CALIBRATION_IMAGES)),
      Map.entry("--tile", Range.closed(org.maha.tiles.Tiling.MIN_SIZE, org.maha.tiles.Tiling.MAX_SIZE)),
      // below --tile as well (checked by TileOptions, which knows both)
      Map.entry("--tile-overlap", Range.closed(0, org.maha.tiles.Tiling.MAX_SIZE - 1)));

  /** Numeric options that accept any value of their type. */
  static final Set<String> UNBOUNDED = Set.of("--seed", "--augment-seed", "--random-init");

  /** Checks every numeric option of {@code cmd} (mixins included); the first out of range is a usage error. */
  static void check(CommandLine.Model.CommandSpec cmd) throws MahaCommand.UsageException {
    for (OptionSpec o : cmd.options()) {
      Range r = RANGES.get(o.longestName());
      Object value = o.getValue();
      if (r == null || value == null) {
        continue;
      }
      Collection<?> values = value instanceof Collection<?> c ? c : java.util.List.of(value);
      for (Object v : values) {
        if (v instanceof Number n && !r.contains(n.doubleValue())) {
          // echo what was typed (1e400, not Infinity) when it is one value
          java.util.List<String> typed = o.originalStringValues();
          String shown = typed.size() == 1 && values.size() == 1 ? typed.get(0) : String.valueOf(v);
          throw new MahaCommand.UsageException(o.longestName() + " must be " + r.describe() + ", got " + shown);
        }
      }
    }
  }

  /** Whether {@code o} takes numbers (int, long, double, their boxes, or a list of them). */
  static boolean isNumeric(OptionSpec o) {
    Class<?> t = o.type();
    if (Collection.class.isAssignableFrom(t) && o.auxiliaryTypes().length > 0) {
      t = o.auxiliaryTypes()[0];
    }
    return t == int.class || t == long.class || t == double.class || t == float.class
        || Number.class.isAssignableFrom(t);
  }
}
