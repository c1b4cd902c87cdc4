package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.Preprocessing;
import org.maha.imagenet.ClassRanking;
import org.maha.imagenet.ImageNetClasses;
import org.maha.pipeline.ImageLoader;
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
    description = {"Top ImageNet classes of each image (backbone's classifier).",
        "Prints the top classes with their probabilities.",
        "The graph needs a classifier output: 'probabilities' (softmax), 'output' (softmax, the shared "
            + "MobileNetV2 ONNX) or 'logits' (softmax applied here); 1000 classes, or 1001 with a background class "
            + "first (Coral's MobileNetV2). Example: maha classify --backbone mobilenet_v2 --weights "
            + "tf2_mobilenet_v2_1.0_224_ptq.tflite owl.jpg"})
final class ClassifyCommand implements Callable<Integer>, Validated {

  /** Graph outputs tried in this order; the first two hold probabilities already. */
  static final List<String> PROBABILITY_OUTPUTS = List.of("probabilities", "output");
  static final String LOGITS_OUTPUT = "logits";

  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Images: files or folders.")
  List<Path> images;

  @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes per image. Default: ${DEFAULT-VALUE}.")
  int top;

  @Mixin InputOptions input = new InputOptions();

  @Override
  public void validate() throws Exception {
    backbone.checkCombination(false);
  }

  @Override
  public Integer call() throws Exception {
    backbone.withClassifier = true;
    List<Path> files = input.expand(images, spec.commandLine().getErr());
    PrintWriter o = spec.commandLine().getOut();
    try (OnnxBackbone b = backbone.open()) {
      String output = classifierOutput(b);
      Preprocessing pre = new Preprocessing(b.spec().inputSizePx(), b.spec().normalization());
      for (Path f : files) {
        float[] x = pre.apply(ImageLoader.decode(f, input.limits()));
        float[] raw = b.rawOutput(output, x, 1)[0];
        double[] p = output.equals(LOGITS_OUTPUT) ? ClassRanking.softmax(raw) : ClassRanking.widen(raw);
        o.println(f);
        for (ClassRanking.Ranked r : ClassRanking.topK(p, top)) {
          o.printf(Locale.ROOT, "  %.4f  %s%n", r.probability(), ImageNetClasses.className(r.index(), p.length));
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
}
