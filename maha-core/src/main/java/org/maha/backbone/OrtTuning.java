package org.maha.backbone;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;

/**
 * ONNX Runtime session settings that trade memory for speed, with maha's defaults, each overridable by a Java
 * system property (e.g. {@code MAHA_JAVA_OPTS="-Dmaha.ort.arena=true"}) so that a measurement can change one without
 * a rebuild. README "Benchmarks" gives the numbers behind the defaults (issue 12: peak memory and speed).
 *
 * <ul>
 *   <li>{@code maha.ort.arena} (default {@code false}): ONNX Runtime's CPU arena allocator. It keeps every block it
 *       ever allocated and fragments over a long run: EfficientNet-B4 at 380 px on 200 images peaked at 1417 MiB
 *       with it and 1270 MiB without (PyTorch: 1274 MiB), for about 3 % more CPU (page faults of the large
 *       activations, which the C library then maps afresh on every call).</li>
 *   <li>{@code maha.ort.memoryPattern} (default {@code true}): plan activations of a whole run as one block, per
 *       input shape.</li>
 *   <li>{@code maha.ort.spinning} (default {@code false}): intra-op threads spin while waiting for work. ONNX
 *       Runtime spins by default; on a 2-core machine the spinning threads take the cores from maha's decoding
 *       threads (and from everything else), and measured under load the graph alone used 12-30 % more CPU per image
 *       with spinning (README "Benchmarks").</li>
 *   <li>{@code maha.ort.optLevel} ({@code all}, {@code extended}, {@code basic}, {@code none}; default
 *       {@code all}): graph optimisation level, NCHWc layout transforms included at {@code all}.</li>
 *   <li>{@code maha.inGraphPooling} (default {@code true}): average map levels of a user graph inside the graph
 *       ({@link InGraphPooling}); {@code false} copies the full maps out and averages them in Java, as before.</li>
 *   <li>{@code maha.callPixels} (default 16 × 224²): input pixels per channel one inference call holds at most
 *       (see {@code OnnxBackbone.DEFAULT_CALL_PIXELS}); 0 = calls of {@code --batch} images whatever their size.</li>
 *   <li>{@code maha.ort.disableOptimizers} (default empty): comma-separated ONNX Runtime optimizers to skip, e.g.
 *       {@code QuickGeluFusion}.</li>
 *   <li>{@code maha.ort.profile} (default unset): a file-name prefix; ONNX Runtime writes a JSON trace of every
 *       node it ran (PREFIX_date.json) for {@code scripts/ort_profile.py}, which sums time and GFLOP/s by operator
 *       kind: where the backbone's time goes, measured rather than guessed (issue 12).</li>
 *   <li>{@code maha.ort.optimizedModel} (default unset): a file where ONNX Runtime writes each session's graph
 *       after optimisation (the last session opened wins), to check what it fused, e.g. QLinearConv in an
 *       {@code --int8} graph.</li>
 * </ul>
 */
final class OrtTuning {
  private OrtTuning() {}

  static final String ARENA = "maha.ort.arena";
  static final String MEMORY_PATTERN = "maha.ort.memoryPattern";
  static final String SPINNING = "maha.ort.spinning";
  static final String OPT_LEVEL = "maha.ort.optLevel";
  static final String DISABLE_OPTIMIZERS = "maha.ort.disableOptimizers";
  static final String IN_GRAPH_POOLING = "maha.inGraphPooling";
  static final String PROFILE = "maha.ort.profile";
  static final String OPTIMIZED_MODEL = "maha.ort.optimizedModel";

  static final String CALL_PIXELS = "maha.callPixels";

  /** Input pixels per channel one inference call holds at most ({@code maha.callPixels}; 0 = no bound). */
  static long callPixels(long dflt) {
    String v = System.getProperty(CALL_PIXELS);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + CALL_PIXELS + ": expected a whole number >= 0, found '" + v + "'");
  }

  /** Whether {@link InGraphPooling} applies. */
  static boolean inGraphPooling() {
    return flag(IN_GRAPH_POOLING, true);
  }

  /** Applies the settings to {@code so}; an unreadable property value is an IllegalArgumentException naming it. */
  static void apply(OrtSession.SessionOptions so) throws OrtException {
    so.setOptimizationLevel(optLevel(System.getProperty(OPT_LEVEL, "all")));
    so.setCPUArenaAllocator(flag(ARENA, false));
    so.setMemoryPatternOptimization(flag(MEMORY_PATTERN, true));
    so.addConfigEntry("session.intra_op.allow_spinning", flag(SPINNING, false) ? "1" : "0");
    String disabled = System.getProperty(DISABLE_OPTIMIZERS, "").trim();
    if (!disabled.isEmpty()) {
      so.addConfigEntry("optimization.disable_specified_optimizers", disabled);
    }
    String profile = System.getProperty(PROFILE, "").trim();
    if (!profile.isEmpty()) {
      so.enableProfiling(profile);
    }
    String optimized = System.getProperty(OPTIMIZED_MODEL, "").trim();
    if (!optimized.isEmpty()) {
      so.setOptimizedModelFilePath(optimized);
    }
  }

  private static boolean flag(String name, boolean dflt) {
    String v = System.getProperty(name);
    if (v == null) {
      return dflt;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "on" -> true;
      case "false", "0", "off" -> false;
      default -> throw new IllegalArgumentException("-D" + name + ": expected true or false, found '" + v + "'");
    };
  }

  private static OrtSession.SessionOptions.OptLevel optLevel(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
      case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
      case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
      default -> throw new IllegalArgumentException("-D" + OPT_LEVEL + ": expected all, extended, basic or none, "
          + "found '" + v + "'");
    };
  }
}
