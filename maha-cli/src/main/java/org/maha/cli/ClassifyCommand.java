package org.maha.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.Preprocessing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha classify}: the ImageNet classes a backbone's own classifier gives each image. A check that a backbone
 * (built in Java, or an ONNX file) is the pretrained network it claims to be, on photos anyone can judge.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = {"Print the top ImageNet classes of each image with their probabilities, from the backbone's own "
        + "classifier.",
        "The graph needs a classifier output: 'probabilities' (softmax), 'output' (softmax, the shared "
            + "MobileNetV2 ONNX) or 'logits' (softmax applied here); 1000 classes, or 1001 with a background class "
            + "first (Coral's MobileNetV2). Example: maha classify --backbone mobilenet_v2 --weights "
            + "tf2_mobilenet_v2_1.0_224_ptq.tflite owl.jpg"})
final class ClassifyCommand implements Callable<Integer> {

  /** Graph outputs tried in this order; the first two hold probabilities already. */
  static final List<String> PROBABILITY_OUTPUTS = List.of("probabilities", "output");
  static final String LOGITS_OUTPUT = "logits";

  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Images: files or folders.")
  List<Path> images;

  @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes per image. Default: ${DEFAULT-VALUE}.")
  int top;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
      description = "Refuse images whose header claims more pixels than this. Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new MahaCommand.UsageException("--top must be at least 1, got " + top);
    }
    backbone.withClassifier = true;
    List<Path> files = InputOptions.expand(images);
    PrintWriter o = spec.commandLine().getOut();
    try (OnnxBackbone b = backbone.open()) {
      String output = classifierOutput(b);
      Preprocessing pre = new Preprocessing(b.spec().inputSizePx(), b.spec().normalization());
      for (Path f : files) {
        float[] x;
        try {
          x = pre.apply(ImageDecoder.decode(Files.readAllBytes(f), new org.maha.image.DecodeLimits(maxPixels)));
        } catch (ImageDecodeException | IOException e) {
          throw new MahaCommand.UsageException(f + ": cannot read the image (" + e.getMessage() + ")");
        }
        float[] raw = b.rawOutput(output, x, 1)[0];
        double[] p = output.equals(LOGITS_OUTPUT) ? softmax(raw) : widen(raw);
        o.println(f);
        for (Ranked r : topK(p, Math.min(top, p.length))) {
          o.printf(Locale.ROOT, "  %.4f  %s%n", r.probability(), className(r.index(), p.length));
        }
      }
      o.flush();
    }
    return 0;
  }

  /** The output holding class probabilities (preferred) or scores. */
  private static String classifierOutput(OnnxBackbone b) throws MahaCommand.UsageException {
    List<String> names = new ArrayList<>();
    for (String d : b.describeOutputs()) {
      names.add(d.substring(0, d.indexOf(' ')));
    }
    for (String n : PROBABILITY_OUTPUTS) {
      if (names.contains(n)) {
        return n;
      }
    }
    if (names.contains(LOGITS_OUTPUT)) {
      return LOGITS_OUTPUT;
    }
    throw new MahaCommand.UsageException(b.spec().name() + ": the graph has no classifier output ("
        + String.join(", ", PROBABILITY_OUTPUTS) + " or " + LOGITS_OUTPUT + "); its outputs are "
        + String.join(", ", b.describeOutputs()));
  }

  /** One class and its probability. */
  record Ranked(int index, double probability) {}

  /** The {@code k} most probable classes, most probable first (ties: lower index first). */
  static List<Ranked> topK(double[] p, int k) {
    List<Ranked> all = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      all.add(new Ranked(i, p[i]));
    }
    all.sort((a, b) -> a.probability() != b.probability() ? Double.compare(b.probability(), a.probability())
        : Integer.compare(a.index(), b.index()));
    return List.copyOf(all.subList(0, k));
  }

  /** Numerically stable softmax in float64. */
  static double[] softmax(float[] scores) {
    double max = Double.NEGATIVE_INFINITY;
    for (float s : scores) {
      max = Math.max(max, s);
    }
    double[] p = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(scores[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  /**
   * The ImageNet name of output {@code index} of a {@code classes}-way classifier: 1000 classes are ImageNet's in
   * order; 1001 have "background" at 0 and ImageNet class k at k + 1; any other count gives "class N".
   */
  static String className(int index, int classes) {
    List<String> names = ImageNetClasses.NAMES;
    if (classes == names.size()) {
      return names.get(index);
    }
    if (classes == names.size() + 1) {
      return index == 0 ? "background" : names.get(index - 1);
    }
    return "class " + index;
  }

  /** The 1000 ImageNet-1k class names (resource written by make_imagenet_classes.py from torchvision 0.14). */
  static final class ImageNetClasses {
    static final List<String> NAMES = load();

    private ImageNetClasses() {}

    private static List<String> load() {
      try (InputStream in = ClassifyCommand.class.getResourceAsStream("imagenet_classes.txt")) {
        if (in == null) {
          throw new IllegalStateException("resource org/maha/cli/imagenet_classes.txt is missing from the jar");
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            out.add(line);
          }
        }
        if (out.size() != 1000) {
          throw new IllegalStateException("imagenet_classes.txt: expected 1000 lines, found " + out.size());
        }
        return List.copyOf(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
