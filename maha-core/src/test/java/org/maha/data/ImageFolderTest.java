package org.maha.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path tmp;

  private static void touch(Path dir, String... names) throws IOException {
    Files.createDirectories(dir);
    for (String n : names) {
      Files.write(dir.resolve(n), new byte[] {1});
    }
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  @Test
  void sortsByFileNameLikePythonSorted() throws IOException, DataException {
    // Python: sorted(["b.png","B.png","a10.png","a2.png","_x.png","Z.jpg","a.PNG"]) puts upper case and '_' by
    // code point: 'B' (66) < 'Z' (90) < '_' (95) < 'a' (97).
    touch(tmp, "b.png", "B.png", "a10.png", "a2.png", "_x.png", "Z.jpg", "a.PNG");
    assertThat(names(ImageFolder.list(tmp)))
        .containsExactly("B.png", "Z.jpg", "_x.png", "a.PNG", "a10.png", "a2.png", "b.png");
  }

  @Test
  void ordersCharactersBeyondTheBmpByCodePointLikePython() throws IOException, DataException {
    // U+1F600 is stored as the surrogates D83D DE00, which String.compareTo would put before U+FF21; Python
    // compares code points, so U+FF21 (Ａ) comes first.
    touch(tmp, "\uD83D\uDE00.png", "\uFF21.png");
    assertThat(names(ImageFolder.list(tmp))).containsExactly("\uFF21.png", "\uD83D\uDE00.png");
  }

  @Test
  void keepsOnlyVisibleImageFilesWithKnownExtensions() throws IOException, DataException {
    touch(tmp, "a.png", "b.JPG", "c.jpeg", "d.Bmp", "e.tif", "f.TIFF", "g.txt", "h.png.bak", ".hidden.png", "png",
        "noext");
    Files.createDirectories(tmp.resolve("sub.png"));
    touch(tmp.resolve("nested"), "deep.png");
    assertThat(names(ImageFolder.list(tmp)))
        .containsExactly("a.png", "b.JPG", "c.jpeg", "d.Bmp", "e.tif", "f.TIFF");
  }

  @Test
  void returnsPathsInsideTheGivenFolder() throws IOException, DataException {
    touch(tmp, "x.png");
    assertThat(ImageFolder.list(tmp)).containsExactly(tmp.resolve("x.png"));
  }

  @Test
  void emptyFolderNamesTheFolderAndTheExtensions() throws IOException, DataException {
    Path dir = tmp.resolve("bottle/train/good");
    touch(dir, "notes.txt");
    assertThatThrownBy(() -> ImageFolder.list(dir))
        .isInstanceOf(DataException.class)
        .hasMessage(dir + ": no images (.png, .jpg, .jpeg, .bmp, .tif, .tiff)")
        .satisfies(e -> assertThat(((DataException) e).path()).isEqualTo(dir));
  }

  @Test
  void missingFolderAndFileAreReported() throws IOException, DataException {
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> ImageFolder.list(missing))
        .isInstanceOf(DataException.class)
        .hasMessage(missing + ": folder not found");
    touch(tmp, "file.png");
    Path file = tmp.resolve("file.png");
    assertThatThrownBy(() -> ImageFolder.list(file)).isInstanceOf(DataException.class).hasMessage(file + ": not a folder");
  }

  @Test
  void scanSaysWhatItLeftOutAndWhy() throws IOException, DataException {
    touch(tmp, "a.png", "b.gif", "c.webp", "d.GIF", "README", ".DS_Store");
    touch(tmp.resolve("sub"), "e.png");
    ImageFolder.Listing l = ImageFolder.scan(tmp, false);
    assertThat(names(l.images())).containsExactly("a.png");
    assertThat(l.otherTypes()).containsEntry("gif", 2).containsEntry("webp", 1).containsEntry("", 1);
    assertThat(l.hidden()).isEqualTo(1);
    assertThat(l.subfolders()).containsExactly("sub");
    assertThat(l.skippedCount()).isEqualTo(6);
    assertThat(l.skippedSummary()).isEqualTo("1 without extension, 2 .gif, 1 .webp, 1 hidden, 1 subfolder (sub)");
  }

  @Test
  void recursiveScanIsSortedByPathAndEndsOnLinkLoops() throws IOException, DataException {
    touch(tmp, "a.png", "c.png");
    touch(tmp.resolve("b"), "c.png", "a.png");
    touch(tmp.resolve("b/z"), "y.png");
    touch(tmp.resolve(".git"), "x.png");
    Files.createSymbolicLink(tmp.resolve("b/z/loop"), tmp);
    ImageFolder.Listing l = ImageFolder.scan(tmp, true);
    assertThat(l.images().stream().map(p -> tmp.relativize(p).toString()).toList())
        .containsExactly("a.png", "b/a.png", "b/c.png", "b/z/y.png", "c.png");
    assertThat(l.hidden()).isEqualTo(1);
    assertThat(l.notRegular()).isEqualTo(1);
    assertThat(l.subfolders()).isEmpty();
  }

  @Test
  void pipesNamedLikeImagesAreLeftOutUnopened() throws Exception {
    touch(tmp, "a.png");
    Path fifo = tmp.resolve("x.png");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo not available");
    ImageFolder.Listing l = ImageFolder.scan(tmp, false);
    assertThat(names(l.images())).containsExactly("a.png");
    assertThat(l.notRegular()).isEqualTo(1);
  }
}
