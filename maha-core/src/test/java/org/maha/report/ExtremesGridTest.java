package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.maha.image.DecodeLimits;
import org.maha.pipeline.Evaluation.ImageResult;

class ExtremesGridTest {
  private static ImageResult im(String name, double score) {
    return new ImageResult(Path.of("/nonexistent", name), "good", false, score, new double[] {score});
  }

  @Test
  void selectsHighestThenLowestBreakingTiesByPath() {
    List<ImageResult> images = List.of(im("a", 1), im("b", 5), im("c", 3), im("d", 5), im("e", 0), im("f", 2));
    ExtremesGrid.Selection s = ExtremesGrid.select(images, 2);
    assertThat(names(s.highest())).containsExactly("b", "d");
    assertThat(names(s.lowest())).containsExactly("e", "a");
  }

  @Test
  void fewImagesAreSplitWithoutShowingOneTwice() {
    ExtremesGrid.Selection s = ExtremesGrid.select(List.of(im("a", 1), im("b", 2), im("c", 3)), 6);
    assertThat(names(s.highest())).containsExactly("c", "b");
    assertThat(names(s.lowest())).containsExactly("a");
  }

  @Test
  void missingFilesBecomeLabelledPlaceholdersOfTheGridSize() throws IOException {
    ExtremesGrid.Selection s = ExtremesGrid.select(List.of(im("a", 1), im("b", 2), im("c", 3), im("d", 4)), 2);
    Png png = ExtremesGrid.png(s, "mvg", 64, DecodeLimits.DEFAULT);
    BufferedImage b = ImageIO.read(new ByteArrayInputStream(png.bytes()));
    assertThat(b.getWidth()).isEqualTo(png.widthPx());
    assertThat(b.getHeight()).isEqualTo(png.heightPx());
    // 2 columns of 64 px thumbnails with 3 px frames and 8 px gaps
    assertThat(png.widthPx()).isEqualTo(8 + 2 * (64 + 6 + 8));
    // the good-image frame colour is present (frames are drawn even for placeholders)
    assertThat(HtmlReportTest.pixelsOf(b, 0x2ca02c)).isGreaterThan(4 * 4 * 70);
  }

  private static List<String> names(List<ImageResult> images) {
    List<String> n = new ArrayList<>();
    images.forEach(i -> n.add(i.path().getFileName().toString()));
    return n;
  }
}
