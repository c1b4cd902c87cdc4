package org.maha.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvtecLayoutTest {
  @TempDir Path root;

  private static void touch(Path dir, String... names) throws IOException {
    Files.createDirectories(dir);
    for (String n : names) {
      Files.write(dir.resolve(n), new byte[] {1});
    }
  }

  /** Two categories in the MVTec layout, files and folders created out of order, plus distractions. */
  @BeforeEach
  void layout() throws IOException {
    Path bottle = root.resolve("bottle");
    touch(bottle.resolve("train/good"), "002.png", "000.png", "001.png");
    touch(bottle.resolve("test/good"), "001.png", "000.png");
    touch(bottle.resolve("test/contamination"), "000.png");
    touch(bottle.resolve("test/broken_small"), "001.png", "000.png");
    touch(bottle.resolve("test/broken_large"), "000.png");
    touch(bottle.resolve("ground_truth/broken_large"), "000_mask.png");
    touch(bottle.resolve("test/.DS_Store_dir"), "x.png");
    touch(root.resolve("grid/train/good"), "000.png");
    touch(root.resolve("grid/test/good"), "000.png");
    touch(root.resolve("grid/test/bent"), "000.png");
    touch(root.resolve("not_a_category/stuff"), "a.png");
    touch(root, "readme.txt");
  }

  @Test
  void readsTrainAndTestInOfficialOrderWithLabels() throws DataException {
    MvtecCategory c = MvtecLayout.category(root, "bottle");
    Path dir = root.resolve("bottle");
    assertThat(c.name()).isEqualTo("bottle");
    assertThat(c.root()).isEqualTo(dir);
    assertThat(c.train())
        .containsExactly(
            dir.resolve("train/good/000.png"), dir.resolve("train/good/001.png"), dir.resolve("train/good/002.png"));
    // Class folders sorted (broken_large < broken_small < contamination < good), files sorted within each.
    assertThat(c.test())
        .containsExactly(
            new LabeledImage(dir.resolve("test/broken_large/000.png"), "broken_large", true),
            new LabeledImage(dir.resolve("test/broken_small/000.png"), "broken_small", true),
            new LabeledImage(dir.resolve("test/broken_small/001.png"), "broken_small", true),
            new LabeledImage(dir.resolve("test/contamination/000.png"), "contamination", true),
            new LabeledImage(dir.resolve("test/good/000.png"), "good", false),
            new LabeledImage(dir.resolve("test/good/001.png"), "good", false));
    assertThat(c.anomalousCount()).isEqualTo(4);
  }

  @Test
  void allListsCategoriesHavingTrainGoodSorted() throws DataException {
    List<MvtecCategory> all = MvtecLayout.all(root);
    assertThat(all).extracting(MvtecCategory::name).containsExactly("bottle", "grid");
    assertThat(all.get(1).test()).extracting(LabeledImage::defectType).containsExactly("bent", "good");
  }

  @Test
  void resolveAcceptsTheDatasetRootACategoryFolderOrANamedCategory() throws DataException {
    assertThat(MvtecLayout.resolve(root, Optional.empty())).extracting(MvtecCategory::name)
        .containsExactly("bottle", "grid");
    assertThat(MvtecLayout.resolve(root, Optional.of("grid"))).extracting(MvtecCategory::name).containsExactly("grid");
    List<MvtecCategory> one = MvtecLayout.resolve(root.resolve("bottle"), Optional.empty());
    assertThat(one).extracting(MvtecCategory::name).containsExactly("bottle");
    assertThat(one.get(0).train()).hasSize(3);
    assertThat(MvtecLayout.resolve(root.resolve("bottle"), Optional.of("bottle")))
        .extracting(MvtecCategory::name)
        .containsExactly("bottle");
  }

  @Test
  void resolveOfACategoryFolderGivenAsDotUsesTheRealFolderName() throws DataException {
    Path dot = root.resolve("grid").resolve(".");
    assertThat(MvtecLayout.resolve(dot, Optional.empty())).extracting(MvtecCategory::name).containsExactly("grid");
  }

  @Test
  void unknownCategoryListsTheAvailableOnes() {
    assertThatThrownBy(() -> MvtecLayout.category(root, "cable"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining(root.resolve("cable").toString())
        .hasMessageContaining("not found")
        .hasMessageContaining("available: bottle, grid");
  }

  @Test
  void categoryNameMustBeOneFolder() {
    assertThatThrownBy(() -> MvtecLayout.category(root, "../bottle"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("single folder name");
  }

  @Test
  void rootWithoutCategoriesExplainsTheLayout() throws IOException {
    Path empty = Files.createDirectories(root.resolve("not_a_category"));
    assertThatThrownBy(() -> MvtecLayout.all(empty))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(empty + ": no categories found")
        .hasMessageContaining("ROOT/CATEGORY/train/good");
    assertThatThrownBy(() -> MvtecLayout.resolve(empty, Optional.empty())).isInstanceOf(DataException.class);
    Path missing = root.resolve("missing");
    assertThatThrownBy(() -> MvtecLayout.resolve(missing, Optional.empty()))
        .isInstanceOf(DataException.class)
        .hasMessage(missing + ": folder not found");
  }

  @Test
  void categoryWithoutTestFolderIsRejected() throws IOException {
    touch(root.resolve("screw/train/good"), "000.png");
    assertThatThrownBy(() -> MvtecLayout.category(root, "screw"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(root.resolve("screw") + ": no test/ folder");
    // all() reads every category, so the broken one is reported rather than silently skipped.
    assertThatThrownBy(() -> MvtecLayout.all(root)).isInstanceOf(DataException.class).hasMessageContaining("screw");
  }

  @Test
  void emptyDefectFolderIsReportedByName() throws IOException {
    Files.createDirectories(root.resolve("bottle/test/crack"));
    assertThatThrownBy(() -> MvtecLayout.category(root, "bottle"))
        .isInstanceOf(DataException.class)
        .hasMessage(root.resolve("bottle/test/crack") + ": no images (.png, .jpg, .jpeg, .bmp, .tif, .tiff)");
  }

  @Test
  void trainWithoutGoodFolderSaysWhatItFound() throws IOException {
    touch(root.resolve("pill/train/ok"), "000.png");
    touch(root.resolve("pill/test/good"), "000.png");
    assertThatThrownBy(() -> MvtecLayout.category(root, "pill"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(root.resolve("pill/train") + ": no good/ folder (found [ok])");
  }

  @Test
  void labelMustAgreeWithFolderName() {
    assertThatThrownBy(() -> new LabeledImage(root, "good", true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LabeledImage(root, "crack", false)).isInstanceOf(IllegalArgumentException.class);
  }
}
