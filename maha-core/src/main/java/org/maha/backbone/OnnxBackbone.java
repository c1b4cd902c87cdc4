package org.maha.backbone;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.maha.files.InputFiles;
import org.maha.files.Sha256;
import org.maha.image.Normalization;

/**
 * A backbone run by ONNX Runtime on the CPU: the only class in maha that imports {@code ai.onnxruntime}.
 *
 * <p>Ownership (STYLE habit 4): this object owns one {@link OrtSession} and the {@link OrtSession.SessionOptions} it
 * was made with, and closes both in {@link #close()} (idempotent). The process-wide {@link OrtEnvironment} is shared
 * and never closed. Each input tensor and {@link OrtSession.Result} is opened and closed inside one
 * try-with-resources in {@link #runOutputs}, and values are copied into Java arrays before the result closes.
 * {@link #extract} may be called from several threads at once (ONNX Runtime allows concurrent {@code run}); a
 * read-write lock keeps {@link #close()} from freeing the session under a running call.
 *
 * <p>Batching: a graph with a symbolic batch axis runs up to {@code maxBatch} images per call. A graph that declares
 * a batch of 1 is relaxed in memory to a symbolic batch ({@link BatchAxisRelaxer}) and kept only if a batch of 2
 * gives, within {@link #BATCH_CHECK_TOLERANCE}, the level features of two single runs; otherwise images run one by
 * one. (The check covers the levels; {@link #rawOutput} also fails loudly if another output ignores the batch.)
 *
 * <p>Pooling: a level declared as a rank-4 map is averaged inside the graph by a {@code GlobalAveragePool} that
 * {@link InGraphPooling} appends in memory at open, so only C floats per level are copied out of ONNX Runtime; the
 * full output stays in the graph and is fetched only for anomaly maps ({@link #extractWithMaps}). ONNX Runtime sums
 * in float32 where the Java fallback sums in float64: the two agree to about 1e-6 of the level's largest feature
 * (measured on the shared 9-tap MobileNetV2; see OnnxBackbonePoolingTest). A graph the rewrite does not fit (name
 * collision, undeclared shape, refused by ONNX Runtime) is pooled in Java, as before.
 */
public final class OnnxBackbone implements Backbone {

  /**
   * Largest difference allowed between batched and single-image features in the relaxed-batch check, relative to
   * the level's largest magnitude (at least 1). ONNX Runtime's CPU kernels gave bit-identical features for the
   * shared MobileNetV2 (batch 4 vs 1, all nine levels), but other kernels may block float32 GEMMs differently per
   * batch size; a graph that mixes images (a Reshape that hard-codes the batch) differs at order 1.
   */
  static final double BATCH_CHECK_TOLERANCE = 1e-5;

  /** Seed of the synthetic images used for the relaxed-batch check and for probing symbolic level sizes. */
  private static final long CHECK_SEED = 0x5EEDL;

  private final String label;
  private final BackboneSpec spec;
  private final boolean pretrainedPreset;
  private final boolean batchAxisRelaxed;
  private final int maxBatch;
  private final int parallelRuns;
  /** Most images per ONNX Runtime call: {@link #maxBatch}, lowered for large inputs ({@link #callBatch}). */
  private final int callBatch;
  private final Map<String, TensorDecl> outputs;
  private final List<LevelGrid> levelGrids;
  /** Per level, the output to fetch for its pooled features: the in-graph pooled output, or the level itself. */
  private final List<String> pooledFetch;
  private final boolean[] pooledInGraph;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions sessionOptions;
  private final OrtSession session;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lock

  private OnnxBackbone(String label, BackboneSpec spec, boolean pretrainedPreset, boolean batchAxisRelaxed,
      int maxBatch, int parallelRuns, Map<String, TensorDecl> outputs, List<LevelGrid> levelGrids, List<String> pooledOutputs,
      OrtEnvironment env, OrtSession.SessionOptions sessionOptions, OrtSession session) {
    this.label = label;
    this.spec = spec;
    this.pretrainedPreset = pretrainedPreset;
    this.batchAxisRelaxed = batchAxisRelaxed;
    this.maxBatch = maxBatch;
    this.parallelRuns = parallelRuns;
    this.callBatch = callBatch(maxBatch, spec.inputSizePx());
    this.outputs = outputs;
    this.levelGrids = levelGrids;
    List<String> fetch = new ArrayList<>();
    this.pooledInGraph = new boolean[spec.levelCount()];
    for (int level = 0; level < spec.levelCount(); level++) {
      String p = pooledOutputs.get(level);
      pooledInGraph[level] = p != null;
      fetch.add(p != null ? p : spec.levelNames().get(level));
    }
    this.pooledFetch = List.copyOf(fetch);
    this.env = env;
    this.sessionOptions = sessionOptions;
    this.session = session;
  }

  /**
   * Opens an ONNX model file as a backbone.
   *
   * @param onnxFile the model; its path as given appears in every error message
   * @param options  levels, normalisation, threads, batch limit; explicit values override a {@link Presets preset}
   * @throws BackboneException when the file is missing or unreadable, not an ONNX model, has not exactly one
   *                           float32 input [N|1, 3, S, S], or the levels are missing, unknown or of another shape
   */
  public static OnnxBackbone open(Path onnxFile, BackboneOptions options) throws BackboneException {
    Objects.requireNonNull(onnxFile, "onnxFile");
    Objects.requireNonNull(options, "options");
    String label = onnxFile.toString();
    return open(readModel(onnxFile, label), label, stem(onnxFile), options);
  }

  /**
   * Opens a serialised ONNX model held in memory (e.g. a graph rewritten by {@link Int8Quantization}) as a
   * backbone; as {@link #open(Path, BackboneOptions)} otherwise.
   *
   * @param bytes   the ModelProto's bytes. Not modified.
   * @param label   how error messages name the model
   * @param name    the backbone's name unless the bytes are a known preset
   * @param options levels, normalisation, threads, batch limit
   * @throws BackboneException as {@link #open(Path, BackboneOptions)}
   */
  public static OnnxBackbone open(byte[] bytes, String label, String name, BackboneOptions options)
      throws BackboneException {
    return open(bytes, label, name, options, null);
  }

  /**
   * As {@link #open(byte[], String, String, BackboneOptions)}, for the int8 rewrite of a float file: the spec records
   * the file's SHA-256 and {@code int8} (null: the bytes are the file's own graph, recorded by their SHA-256).
   */
  static OnnxBackbone open(byte[] bytes, String label, String name, BackboneOptions options, Int8Source int8)
      throws BackboneException {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(options, "options");
    String sha256 = int8 == null ? sha256Hex(bytes) : int8.fileSha256();
    BatchAxisRelaxer.Result relaxed;
    try {
      TensorSizeCheck.check(bytes);
      relaxed = BatchAxisRelaxer.relax(bytes);
    } catch (BatchAxisRelaxer.ProtoFormatException e) {
      throw new BackboneException(label + ": not an ONNX model (" + e.getMessage() + ")", e);
    }
    Optional<Presets.Preset> preset = Presets.bySha256(sha256);
    Normalization normalization = options.normalization() != null
        ? options.normalization()
        : preset.map(Presets.Preset::normalization).orElse(Normalization.IMAGENET);
    String backboneName = preset.map(Presets.Preset::name).orElse(name);
    List<String> levels = !options.levels().isEmpty()
        ? options.levels()
        : preset.map(Presets.Preset::levels).orElse(List.of());

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions sessionOptions = newSessionOptions(options, label);
    OrtSession session = null;
    try {
      boolean useRelaxed = relaxed.inputsRelaxed() > 0 && options.maxBatch() > 1;
      Opened opened = null;
      if (useRelaxed) {
        opened = tryOpen(env, relaxed.bytes(), sessionOptions, levels);
        useRelaxed = opened != null;
      }
      if (opened == null) {
        opened = open(env, bytes, sessionOptions, levels, label);
      }
      session = opened.session();
      Graph graph = Graph.describe(session, label, levels, env, opened.hidden());
      if (useRelaxed && !batchOfTwoMatchesSingles(env, session, graph)) {
        OrtSession rejected = session;
        session = null;
        useRelaxed = false;
        closeSession(rejected);
        opened = open(env, bytes, sessionOptions, levels, label);
        session = opened.session();
        graph = Graph.describe(session, label, levels, env, opened.hidden());
      }
      int maxBatch = graph.batchSymbolic() ? options.maxBatch() : 1;
      BackboneSpec spec = new BackboneSpec(backboneName, sha256, graph.inputName(), graph.inputSizePx(), normalization,
          levels, graph.levelDims(), int8 == null ? null : int8.calibration());
      return new OnnxBackbone(label, spec, preset.isPresent(), useRelaxed, maxBatch, options.parallel(), graph.outputs(),
          graph.levelGrids(), opened.pooled(), env, sessionOptions, session);
    } catch (BackboneException | RuntimeException e) {
      if (session != null) {
        closeSessionQuietly(session, e);
      }
      sessionOptions.close();
      throw e;
    }
  }

  @Override
  public BackboneSpec spec() {
    return spec;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public int parallelRuns() {
    return parallelRuns;
  }

  /** Whether the file's SHA-256 matched a {@link Presets preset}. */
  public boolean isPretrainedPreset() {
    return pretrainedPreset;
  }

  /** Whether the graph declared a batch of 1 that was relaxed to a symbolic batch (and passed the check). */
  public boolean isBatchAxisRelaxed() {
    return batchAxisRelaxed;
  }

  /**
   * Per level, whether its features are averaged by a {@code GlobalAveragePool} appended to the graph (a declared
   * rank-4 level of a user-supplied graph) rather than in Java from the copied map (see {@link InGraphPooling}).
   */
  public List<Boolean> levelsPooledInGraph() {
    List<Boolean> list = new ArrayList<>();
    for (boolean b : pooledInGraph) {
      list.add(b);
    }
    return List.copyOf(list);
  }

  /** Every output of the graph, in graph order, with its declared shape, e.g. {@code "pooled [N, 16]"}. */
  public List<String> describeOutputs() {
    List<String> list = new ArrayList<>();
    for (TensorDecl d : outputs.values()) {
      list.add(d.describe());
    }
    return List.copyOf(list);
  }

  /** Recorded at {@link #open}: from the declared shapes, or from a first run where an axis is symbolic. */
  @Override
  public List<LevelGrid> levelGrids() {
    return levelGrids;
  }

  @Override
  public double[][][] extract(float[] nchw, int batch) throws BackboneException {
    return extractWithMaps(nchw, batch, new int[0]).pooled();
  }

  /** Maps are copied out of the same {@link Raw} outputs that are pooled, so pooled features do not change. */
  @Override
  public FeatureMaps extractWithMaps(float[] nchw, int batch, int[] mapLevels) throws BackboneException {
    checkInput(nchw, batch);
    int levelCount = spec.levelCount();
    boolean[] seen = new boolean[levelCount];
    for (int level : mapLevels) {
      if (level < 0 || level >= levelCount || seen[level]) {
        throw new IllegalArgumentException("map levels must be distinct level indices 0.." + (levelCount - 1)
            + ", found " + Arrays.toString(mapLevels));
      }
      seen[level] = true;
    }
    double[][][] features = new double[levelCount][batch][];
    float[][][] maps = new float[mapLevels.length][batch][];
    lock.readLock().lock();
    try {
      ensureOpen();
      // the pooled outputs, then each map level's full output unless it is already fetched (pooled in Java)
      List<String> fetch = new ArrayList<>(pooledFetch);
      int[] mapAt = new int[mapLevels.length];
      for (int k = 0; k < mapLevels.length; k++) {
        int level = mapLevels[k];
        if (pooledInGraph[level]) {
          mapAt[k] = fetch.size();
          fetch.add(spec.levelNames().get(level));
        } else {
          mapAt[k] = level;
        }
      }
      for (int first = 0, n; first < batch; first += n) {
        n = callSize(batch - first);
        List<Raw> raws = runOrFail(nchw, first, n, fetch);
        for (int level = 0; level < levelCount; level++) {
          double[][] pooled = pool(raws.get(level), fetch.get(level), n, spec.levelDims().get(level));
          System.arraycopy(pooled, 0, features[level], first, n);
        }
        for (int k = 0; k < mapLevels.length; k++) {
          int level = mapLevels[k];
          float[][] sliced = slice(raws.get(mapAt[k]), spec.levelNames().get(level), n, levelGrids.get(level));
          System.arraycopy(sliced, 0, maps[k], first, n);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return new FeatureMaps(features, maps);
  }

  /**
   * One graph output, unpooled, e.g. a classifier's softmax: {@code [image][values of that image]} (row-major over
   * the output's other axes). For checks and diagnostics, not for fitting.
   *
   * @param outputName a graph output of type float32
   * @param nchw       as in {@link #extract}. Not modified.
   * @throws BackboneException when the graph has no such float32 output, or inference fails
   */
  public float[][] rawOutput(String outputName, float[] nchw, int batch) throws BackboneException {
    checkInput(nchw, batch);
    TensorDecl decl = outputs.get(outputName);
    if (decl == null || decl.type() != OnnxJavaType.FLOAT) {
      throw new BackboneException(label + ": no float32 output named '" + outputName + "' (available: "
          + String.join(", ", describeOutputs()) + ")");
    }
    float[][] values = new float[batch][];
    lock.readLock().lock();
    try {
      ensureOpen();
      for (int first = 0, n; first < batch; first += n) {
        n = callSize(batch - first);
        Raw raw = runOrFail(nchw, first, n, List.of(outputName)).get(0);
        if (raw.shape().length == 0 || raw.shape()[0] != n) {
          throw new IllegalStateException(label + ": output '" + outputName + "' has shape "
              + Arrays.toString(raw.shape()) + " for a batch of " + n);
        }
        int per = raw.data().length / n;
        for (int i = 0; i < n; i++) {
          values[first + i] = Arrays.copyOfRange(raw.data(), i * per, (i + 1) * per);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return values;
  }

  /**
   * The smallest and largest value of each named float output for each image, e.g. the activations a calibration
   * graph exposes ({@link Int8Quantization}). Runs one image per call, so that only one image's activations are
   * held at a time.
   *
   * @param outputNames graph outputs of type float32
   * @param nchw        as in {@link #extract}. Not modified.
   * @param batch       number of images in {@code nchw}
   * @return {@code [output][image][0 = min, 1 = max]}
   * @throws BackboneException when inference fails
   */
  public double[][][] outputRanges(List<String> outputNames, float[] nchw, int batch) throws BackboneException {
    checkInput(nchw, batch);
    double[][][] ranges = new double[outputNames.size()][batch][];
    lock.readLock().lock();
    try {
      ensureOpen();
      for (int image = 0; image < batch; image++) {
        List<Raw> raws = runOrFail(nchw, image, 1, outputNames);
        for (int k = 0; k < ranges.length; k++) {
          double lo = Double.POSITIVE_INFINITY;
          double hi = Double.NEGATIVE_INFINITY;
          for (float v : raws.get(k).data()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          ranges[k][image] = new double[] {lo, hi};
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return ranges;
  }

  /** Closes the session, then its options; safe to call more than once and while other threads wait to run. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException(label + ": ONNX Runtime failed to close the session (" + e.getMessage()
            + ")", e);
      } finally {
        sessionOptions.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxBackbone[" + label + ", " + spec.name() + ", levels " + spec.levelNames() + ", maxBatch "
        + maxBatch + "]";
  }

  /**
   * Input pixels (per channel) one ONNX Runtime call holds at most, by default: 16 images of 224² px. ONNX
   * Runtime's activation memory grows with the images of a call times their area, so a batch of 16 at
   * EfficientNet-B4's 380 px would need 2.9× the memory of one at 224 px (measured: peak RSS 2.6 GB at batch 16
   * against 1.2 GB at batch 4 for B4 at 380); larger inputs are run in calls of fewer images, with the same results
   * (the batch axis is checked or declared independent). {@code -Dmaha.callPixels=N} sets another bound (0: none).
   */
  static final long DEFAULT_CALL_PIXELS = 16L * 224 * 224;

  /** Images per ONNX Runtime call for a batch limit and input size (see {@link #DEFAULT_CALL_PIXELS}). */
  static int callBatch(int maxBatch, int inputSizePx) {
    long budget = OrtTuning.callPixels(DEFAULT_CALL_PIXELS);
    if (budget <= 0) {
      return maxBatch;
    }
    long perImage = (long) inputSizePx * inputSizePx;
    return (int) Math.max(1, Math.min(maxBatch, budget / perImage));
  }

  /** Images of the next call for {@code remaining} images: the calls left share them evenly (16 → 4 × 4, not 5+5+5+1). */
  private int callSize(int remaining) {
    int calls = (remaining + callBatch - 1) / callBatch;
    return (remaining + calls - 1) / calls;
  }

  // ---- running -----------------------------------------------------------------------------------------------

  private void checkInput(float[] nchw, int batch) {
    Objects.requireNonNull(nchw, "nchw");
    if (batch < 1) {
      throw new IllegalArgumentException("batch: expected >= 1, found " + batch);
    }
    long expected = (long) batch * spec.floatsPerImage();
    if (nchw.length != expected) {
      throw new IllegalArgumentException("nchw: expected " + batch + " × 3 × " + spec.inputSizePx() + " × "
          + spec.inputSizePx() + " = " + expected + " floats, found " + nchw.length);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("OnnxBackbone for " + label + " is closed");
    }
  }

  private List<Raw> runOrFail(float[] nchw, int firstImage, int n, List<String> names) throws BackboneException {
    try {
      return runOutputs(env, session, spec.inputName(), spec.inputSizePx(), nchw, firstImage, n, names);
    } catch (OrtException e) {
      throw new BackboneException(label + ": inference failed (" + e.getMessage() + ")", e);
    }
  }

  /** A copied output: its runtime shape and its values, row-major. */
  private record Raw(long[] shape, float[] data) {}

  /**
   * Runs images {@code firstImage .. firstImage+n-1} and copies the named outputs (only those are computed).
   * The one place where native tensors and results are opened, and they are closed before returning.
   */
  private static List<Raw> runOutputs(OrtEnvironment env, OrtSession session, String inputName, int s,
      float[] nchw, int firstImage, int n, List<String> names) throws OrtException {
    int per = 3 * s * s;
    FloatBuffer in = FloatBuffer.wrap(nchw, firstImage * per, n * per);
    Set<String> requested = new LinkedHashSet<>(names);
    try (OnnxTensor input = OnnxTensor.createTensor(env, in, new long[] {n, 3, s, s});
        OrtSession.Result result = session.run(Map.of(inputName, input), requested)) {
      List<Raw> raws = new ArrayList<>(names.size());
      for (String name : names) {
        OnnxValue value = result.get(name)
            .orElseThrow(() -> new IllegalStateException("ONNX Runtime returned no output '" + name + "'"));
        if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
          throw new IllegalStateException("output '" + name + "': expected a float32 tensor, found " + value);
        }
        // getFloatBuffer() already copies out of native memory, into a heap buffer: keep its array as is
        FloatBuffer fb = tensor.getFloatBuffer();
        float[] data;
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.position() == 0 && fb.remaining() == fb.array().length) {
          data = fb.array();
        } else {
          data = new float[fb.remaining()];
          fb.get(data);
        }
        raws.add(new Raw(tensor.getInfo().getShape(), data));
      }
      return raws;
    }
  }

  /**
   * Global average pooling (PAPER.md §1.5): [n, C, H, W] → mean over H×W, summed in double in memory order so
   * results are deterministic; [n, C] is used as is.
   */
  private static double[][] pool(Raw raw, String name, int n, int c) {
    long[] shape = raw.shape();
    boolean ok = (shape.length == 2 || shape.length == 4) && shape[0] == n && shape[1] == c;
    if (!ok) {
      throw new IllegalStateException("output '" + name + "': expected [" + n + ", " + c + ", ...], found "
          + Arrays.toString(shape));
    }
    int positions = shape.length == 4 ? Math.toIntExact(shape[2] * shape[3]) : 1;
    float[] data = raw.data();
    double[][] out = new double[n][c];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * positions;
        double sum = 0;
        for (int k = 0; k < positions; k++) {
          sum += data[base + k];
        }
        out[i][ch] = sum / positions;
      }
    }
    return out;
  }

  /**
   * Each image's CHW map out of an {@code [n, C, H, W]} (or {@code [n, C]}) output, which must have exactly the
   * recorded grid; the sizes are compared in exact arithmetic before anything is allocated.
   */
  private static float[][] slice(Raw raw, String name, int n, LevelGrid grid) {
    long[] shape = raw.shape();
    boolean ok = shape.length == 4
        ? shape[0] == n && shape[1] == grid.channels() && shape[2] == grid.height() && shape[3] == grid.width()
        : shape.length == 2 && shape[0] == n && shape[1] == grid.channels() && grid.positions() == 1;
    if (!ok || raw.data().length != Math.multiplyExact((long) n, grid.values())) {
      throw new IllegalStateException("output '" + name + "': expected [" + n + ", " + grid.channels() + ", "
          + grid.height() + ", " + grid.width() + "] (" + (long) n * grid.values() + " values), found "
          + Arrays.toString(shape) + " (" + raw.data().length + " values)");
    }
    int per = grid.values();
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(raw.data(), i * per, (i + 1) * per);
    }
    return out;
  }

  /** Seeded synthetic images, uniform in [-2, 2] (covers both normalisations' ranges). */
  private static float[] syntheticImages(int n, int s) {
    SplittableRandom random = new SplittableRandom(CHECK_SEED);
    float[] x = new float[n * 3 * s * s];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 4.0 - 2.0);
    }
    return x;
  }

  /**
   * The relaxed-batch check: two images in one call must give their single-call features (pooled levels) within
   * {@link #BATCH_CHECK_TOLERANCE}. Any runtime failure or shape mismatch counts as "no".
   */
  private static boolean batchOfTwoMatchesSingles(OrtEnvironment env, OrtSession session, Graph graph) {
    int s = graph.inputSizePx();
    float[] two = syntheticImages(2, s);
    List<String> names = graph.levelNames();
    try {
      List<Raw> batched = runOutputs(env, session, graph.inputName(), s, two, 0, 2, names);
      for (int image = 0; image < 2; image++) {
        List<Raw> single = runOutputs(env, session, graph.inputName(), s, two, image, 1, names);
        for (int level = 0; level < names.size(); level++) {
          Raw b = batched.get(level);
          Raw one = single.get(level);
          int c = graph.levelDims().get(level);
          if (b.shape().length != one.shape().length || b.shape()[0] != 2 || one.shape()[0] != 1) {
            return false;
          }
          double[] fromBatch = pool(b, names.get(level), 2, c)[image];
          double[] alone = pool(one, names.get(level), 1, c)[0];
          double scale = 1.0;
          for (double v : alone) {
            scale = Math.max(scale, Math.abs(v));
          }
          for (int k = 0; k < c; k++) {
            if (!(Math.abs(fromBatch[k] - alone[k]) <= BATCH_CHECK_TOLERANCE * scale)) {
              return false;
            }
          }
        }
      }
      return true;
    } catch (OrtException | IllegalStateException e) {
      return false;
    }
  }

  // ---- opening -----------------------------------------------------------------------------------------------

  static byte[] readModel(Path file, String label) throws BackboneException {
    try {
      // never open a pipe or device (it would block or never end); a protobuf model is below 2 GB
      long size = InputFiles.checkRegular(file, Integer.MAX_VALUE - 8);
      long heap = Runtime.getRuntime().maxMemory();
      if (size > heap / 2) { // held as bytes, hashed, relaxed (a copy) and handed to ONNX Runtime
        throw new BackboneException(label + ": the model is " + (size >> 20) + " MB, more than this Java heap ("
            + (heap >> 20) + " MB) can load; give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
      }
      return InputFiles.readRegular(file, size);
    } catch (InputFiles.RefusedException e) {
      throw new BackboneException(label + ": " + e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new BackboneException(label + ": cannot read the model (no such file)", e);
    } catch (AccessDeniedException e) {
      throw new BackboneException(label + ": cannot read the model (permission denied)", e);
    } catch (IOException e) {
      throw new BackboneException(label + ": cannot read the model (" + e + ")", e);
    }
  }

  /**
   * The float file an int8 graph was rewritten from (its SHA-256, which also finds the file's {@link Presets preset}),
   * and how.
   */
  record Int8Source(String fileSha256, Int8Calibration calibration) {}

  /**
   * {@code options} with the levels and normalisation a {@link Presets preset} file of SHA-256 {@code sha256} brings,
   * where they are not given: for a rewritten graph opened without an {@link Int8Source} (the calibration copy),
   * whose own SHA-256 no preset knows.
   */
  static BackboneOptions withPresetDefaults(BackboneOptions options, String sha256) {
    Optional<Presets.Preset> preset = Presets.bySha256(sha256);
    BackboneOptions o = options;
    if (preset.isPresent() && o.levels().isEmpty()) {
      o = o.withLevels(preset.get().levels());
    }
    if (preset.isPresent() && o.normalization() == null) {
      o = o.withNormalization(preset.get().normalization());
    }
    return o;
  }

  static String sha256Hex(byte[] bytes) {
    return Sha256.of(bytes);
  }

  static String stem(Path file) {
    Path fileName = file.getFileName();
    String s = fileName == null ? file.toString() : fileName.toString();
    return s.toLowerCase(Locale.ROOT).endsWith(".onnx") ? s.substring(0, s.length() - 5) : s;
  }

  private static OrtSession.SessionOptions newSessionOptions(BackboneOptions options, String label)
      throws BackboneException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    try {
      OrtTuning.apply(so);
      if (options.sessionThreads() > 0) {
        so.setIntraOpNumThreads(options.sessionThreads());
      }
      // ONNX Runtime logs warnings (e.g. unused initialisers) to stderr; maha's library never prints.
      // Its errors too: they come back in the exception, which maha reports on one line.
      so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      return so;
    } catch (OrtException | IllegalArgumentException e) {
      so.close();
      throw new BackboneException(label + ": cannot configure ONNX Runtime (" + e.getMessage() + ")", e);
    }
  }

  /**
   * A session and, per level, its in-graph pooled output (null: pooled in Java); {@code hidden} are the outputs
   * maha added, left out of every list shown to the user.
   */
  private record Opened(OrtSession session, List<String> pooled, Set<String> hidden) {
    static Opened plain(OrtSession session, int levels) {
      return new Opened(session, Collections.nCopies(levels, null), Set.of());
    }

    static Opened pooled(OrtSession session, List<String> pooled) {
      Set<String> hidden = new HashSet<>();
      for (String p : pooled) {
        if (p != null) {
          hidden.add(p);
        }
      }
      return new Opened(session, pooled, Set.copyOf(hidden));
    }
  }

  /**
   * A session on {@code bytes} with a GlobalAveragePool appended after each map level ({@link InGraphPooling}); on
   * the unmodified bytes when the rewrite does not apply or ONNX Runtime refuses it; null when both fail.
   */
  private static Opened tryOpen(OrtEnvironment env, byte[] bytes, OrtSession.SessionOptions so,
      List<String> levels) {
    InGraphPooling.Plan plan = InGraphPooling.plan(bytes, levels);
    if (plan != null) {
      OrtSession s = tryCreateSession(env, plan.bytes(), so);
      if (s != null) {
        return Opened.pooled(s, plan.pooled());
      }
    }
    OrtSession s = tryCreateSession(env, bytes, so);
    return s == null ? null : Opened.plain(s, levels.size());
  }

  /** As {@link #tryOpen}, failing with ONNX Runtime's message on the unmodified bytes. */
  private static Opened open(OrtEnvironment env, byte[] bytes, OrtSession.SessionOptions so, List<String> levels,
      String label) throws BackboneException {
    InGraphPooling.Plan plan = InGraphPooling.plan(bytes, levels);
    if (plan != null) {
      OrtSession s = tryCreateSession(env, plan.bytes(), so);
      if (s != null) {
        return Opened.pooled(s, plan.pooled());
      }
    }
    return Opened.plain(createSession(env, bytes, so, label), levels.size());
  }

  private static OrtSession createSession(OrtEnvironment env, byte[] bytes, OrtSession.SessionOptions so,
      String label) throws BackboneException {
    try {
      return env.createSession(bytes, so);
    } catch (OrtException e) {
      throw new BackboneException(label + ": ONNX Runtime cannot load the model (" + e.getMessage() + ")", e);
    }
  }

  private static OrtSession tryCreateSession(OrtEnvironment env, byte[] bytes, OrtSession.SessionOptions so) {
    try {
      return env.createSession(bytes, so);
    } catch (OrtException e) {
      return null;
    }
  }

  private static void closeSession(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close a session (" + e.getMessage() + ")", e);
    }
  }

  private static void closeSessionQuietly(OrtSession session, Exception primary) {
    try {
      session.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }

  /** A declared graph value: element type, shape (-1 where symbolic) and dimension names. */
  private record TensorDecl(String name, OnnxJavaType type, long[] shape, String[] dimNames) {
    static TensorDecl of(NodeInfo node) {
      ValueInfo info = node.getInfo();
      if (info instanceof TensorInfo t) {
        return new TensorDecl(node.getName(), t.type, t.getShape(), t.getDimensionNames());
      }
      return new TensorDecl(node.getName(), OnnxJavaType.UNKNOWN, new long[0], new String[0]);
    }

    String shapeText() {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < shape.length; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        if (shape[i] >= 0) {
          sb.append(shape[i]);
        } else {
          String dn = i < dimNames.length ? dimNames[i] : "";
          sb.append(dn == null || dn.isEmpty() ? "?" : dn);
        }
      }
      return sb.append(']').toString();
    }

    String typeText() {
      return type == OnnxJavaType.FLOAT ? "float32" : type.toString();
    }

    String describe() {
      return name + " " + shapeText();
    }
  }

  /** What {@link #open} needs to know about a session's graph, with the requested levels checked. */
  private record Graph(String inputName, int inputSizePx, boolean batchSymbolic, Map<String, TensorDecl> outputs,
      List<String> levelNames, List<LevelGrid> levelGrids) {

    List<Integer> levelDims() {
      return levelGrids.stream().map(LevelGrid::channels).toList();
    }

    static Graph describe(OrtSession session, String label, List<String> levels, OrtEnvironment env,
        Set<String> hidden) throws BackboneException {
      Map<String, NodeInfo> inputInfo;
      Map<String, NodeInfo> outputInfo;
      try {
        inputInfo = session.getInputInfo();
        outputInfo = session.getOutputInfo();
      } catch (OrtException e) {
        throw new BackboneException(label + ": cannot read the graph's inputs and outputs (" + e.getMessage()
            + ")", e);
      }
      Map<String, TensorDecl> outputs = new LinkedHashMap<>();
      for (NodeInfo node : outputInfo.values()) {
        if (!hidden.contains(node.getName())) {
          outputs.put(node.getName(), TensorDecl.of(node));
        }
      }
      if (!outputInfo.keySet().containsAll(hidden)) {
        throw new IllegalStateException(label + ": ONNX Runtime lost the pooled outputs maha appended " + hidden);
      }
      List<String> inputs = new ArrayList<>();
      for (NodeInfo node : inputInfo.values()) {
        inputs.add(TensorDecl.of(node).describe());
      }
      if (inputInfo.size() != 1) {
        throw new BackboneException(label + ": expected exactly one input, float32 [N, 3, S, S], found "
            + inputInfo.size() + " (" + String.join(", ", inputs) + ")");
      }
      TensorDecl in = TensorDecl.of(inputInfo.values().iterator().next());
      long[] s = in.shape();
      boolean shapeOk = s.length == 4 && (s[0] == 1 || s[0] < 0) && s[1] == 3 && s[2] > 0 && s[2] == s[3];
      if (in.type() != OnnxJavaType.FLOAT || !shapeOk) {
        throw new BackboneException(label + ": input '" + in.name() + "' is " + in.typeText() + " "
            + in.shapeText() + ", expected float32 [N, 3, S, S] (batch N symbolic or 1, square size S fixed)");
      }
      String available = describeAll(outputs);
      if (levels.isEmpty()) {
        throw new BackboneException(label + ": name the outputs to use as levels with --levels (available: "
            + available + ")");
      }
      Set<String> seen = new HashSet<>();
      List<LevelGrid> grids = new ArrayList<>();
      boolean needProbe = false;
      for (String level : levels) {
        TensorDecl out = outputs.get(level);
        if (out == null) {
          throw new BackboneException(label + ": no output named '" + level + "' for --levels (available: "
              + available + ")");
        }
        if (!seen.add(level)) {
          throw new BackboneException(label + ": level '" + level + "' is named twice in --levels " + levels);
        }
        if (out.type() != OnnxJavaType.FLOAT) {
          throw new BackboneException(label + ": output '" + level + "' is " + out.typeText() + " "
              + out.shapeText() + ", a level must be float32");
        }
        int rank = out.shape().length;
        if (rank != 2 && rank != 4) {
          throw new BackboneException(label + ": output '" + level + "' has shape " + out.shapeText()
              + ", a level must be [N, C, H, W] (averaged over H×W) or [N, C]");
        }
        long[] shape = out.shape();
        boolean known = true;
        for (int axis = 1; axis < rank; axis++) {
          known &= shape[axis] > 0 && shape[axis] <= Integer.MAX_VALUE;
        }
        needProbe |= !known;
        grids.add(known ? grid(shape, label, level) : null);
      }
      int size = Math.toIntExact(s[2]);
      if (needProbe) {
        grids = probeGrids(env, session, in.name(), size, levels, label);
      }
      return new Graph(in.name(), size, s[0] < 0, Collections.unmodifiableMap(outputs),
          List.copyOf(levels), List.copyOf(grids));
    }

    /** C × H × W of a level's [N, C, H, W] or [N, C] shape (axes ≥ 1 positive); too large is refused. */
    private static LevelGrid grid(long[] shape, String label, String level) throws BackboneException {
      try {
        return shape.length == 4
            ? new LevelGrid(Math.toIntExact(shape[1]), Math.toIntExact(shape[2]), Math.toIntExact(shape[3]))
            : new LevelGrid(Math.toIntExact(shape[1]), 1, 1);
      } catch (ArithmeticException e) {
        throw new BackboneException(label + ": output '" + level + "' of shape " + Arrays.toString(shape)
            + " is too large for one image's map");
      }
    }

    /** Level grids from one run on a synthetic image, for outputs with a symbolic channel or spatial axis. */
    private static List<LevelGrid> probeGrids(OrtEnvironment env, OrtSession session, String inputName, int s,
        List<String> levels, String label) throws BackboneException {
      try {
        List<Raw> raws = runOutputs(env, session, inputName, s, syntheticImages(1, s), 0, 1, levels);
        List<LevelGrid> grids = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
          long[] shape = raws.get(i).shape();
          boolean ok = (shape.length == 2 || shape.length == 4) && shape[0] == 1;
          for (int axis = 1; axis < shape.length; axis++) {
            ok &= shape[axis] > 0;
          }
          if (!ok) {
            throw new BackboneException(label + ": output '" + levels.get(i) + "' has runtime shape "
                + Arrays.toString(shape) + " for one image, a level must be [1, C, H, W] or [1, C]");
          }
          grids.add(grid(shape, label, levels.get(i)));
        }
        return grids;
      } catch (OrtException e) {
        throw new BackboneException(label + ": a first run to find the level sizes failed (" + e.getMessage()
            + ")", e);
      }
    }

    private static String describeAll(Map<String, TensorDecl> outputs) {
      List<String> list = new ArrayList<>();
      for (TensorDecl d : outputs.values()) {
        list.add(d.describe());
      }
      return String.join(", ", list);
    }
  }
}
