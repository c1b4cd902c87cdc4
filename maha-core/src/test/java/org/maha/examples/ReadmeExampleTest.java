package org.maha.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.ImageFolder;
import org.maha.data.SyntheticInspectionSet;
import org.maha.image.DecodeLimits;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.Variant;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.ProgressListener;
import org.maha.pipeline.ScoredImage;
import org.maha.testing.SharedData;

/** The README's "Library use" code, kept compiling and working (as EJML does with its examples). */
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void libraryUseSnippetFitsSavesAndScores() throws Exception {
    Path onnxFile = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    SyntheticInspectionSet.write(dir.resolve("data"), new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 1), 64, 6, 2, 1, 3L));
    String category = SyntheticInspectionSet.Spec.demo().categories().get(0);
    Path good = dir.resolve("data").resolve(category).resolve("train/good");
    Path newImage = ImageFolder.list(dir.resolve("data").resolve(category).resolve("test/good")).get(0);
    List<String> printed = new ArrayList<>();
    // --- README snippet (paths adapted) ---
    try (OnnxBackbone backbone = OnnxBackbone.open(onnxFile,
            new BackboneOptions(List.of(), null, 0, 16))) {            // preset levels L0..L8, x/127.5-1
      FeatureExtractor extractor = new FeatureExtractor(backbone, DecodeLimits.DEFAULT, 2);
      GaussianAdModel model = Jobs.fit(extractor, ImageFolder.list(good), new Variant.Mvg(),
          "good", null, false, ProgressListener.NONE).model();
      ModelFile.write(model, dir.resolve("good.maha"));
      for (ScoredImage s : Jobs.score(extractor, model, List.of(newImage), false,
          ProgressListener.NONE).scores()) {
        printed.add(s.path() + " " + s.score().score());
      }
    }
    // --- end of snippet ---
    assertThat(printed).singleElement().asString().startsWith(newImage.toString());
    assertThat(ModelFile.read(dir.resolve("good.maha")).levels()).hasSize(9);
  }
}
