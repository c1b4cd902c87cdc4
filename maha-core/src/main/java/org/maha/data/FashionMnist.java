package org.maha.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) from its IDX files, as Debian's {@code dataset-fashion-mnist}
 * installs them: a public one-class benchmark that runs without MVTec AD. Each class in turn is "normal".
 */
public final class FashionMnist {
  /** Where Debian's package puts the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private FashionMnist() {}

  /** One split: {@code images[i]} is a 28×28 gray image, row-major; {@code labels[i]} its class 0..9. */
  public record Split(String name, int rows, int cols, byte[][] images, int[] labels) {}

  /** Reads {@code train-*} or {@code t10k-*} ({@code split} = "train" or "t10k") from {@code dir}. */
  public static Split read(Path dir, String split) throws DataException {
    Path imgFile = dir.resolve(split + "-images-idx3-ubyte.gz");
    Path lblFile = dir.resolve(split + "-labels-idx1-ubyte.gz");
    byte[][] images;
    int rows;
    int cols;
    try (DataInputStream in = open(imgFile)) {
      magic(in, IMAGES_MAGIC, imgFile);
      int n = in.readInt();
      rows = in.readInt();
      cols = in.readInt();
      if (n < 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096 || (long) n * rows * cols > Integer.MAX_VALUE) {
        throw new DataException(imgFile, "implausible IDX header: " + n + " images of " + rows + "x" + cols);
      }
      images = new byte[n][rows * cols];
      for (byte[] im : images) {
        in.readFully(im);
      }
    } catch (NoSuchFileException e) {
      throw missing(imgFile);
    } catch (EOFException e) {
      throw new DataException(imgFile, "truncated IDX file");
    } catch (IOException e) {
      throw new DataException(imgFile, "cannot read (" + e.getMessage() + ")");
    }
    int[] labels;
    try (DataInputStream in = open(lblFile)) {
      magic(in, LABELS_MAGIC, lblFile);
      int n = in.readInt();
      if (n != images.length) {
        throw new DataException(lblFile, n + " labels for " + images.length + " images");
      }
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = in.readUnsignedByte();
        if (labels[i] >= CLASSES.size()) {
          throw new DataException(lblFile, "label " + labels[i] + " at " + i + " is not a class 0..9");
        }
      }
    } catch (NoSuchFileException e) {
      throw missing(lblFile);
    } catch (EOFException e) {
      throw new DataException(lblFile, "truncated IDX file");
    } catch (IOException e) {
      throw new DataException(lblFile, "cannot read (" + e.getMessage() + ")");
    }
    return new Split(split, rows, cols, images, labels);
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream raw = Files.newInputStream(p);
    return new DataInputStream(p.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
  }

  private static void magic(DataInputStream in, int expected, Path p) throws IOException, DataException {
    int m = in.readInt();
    if (m != expected) {
      throw new DataException(p, String.format("not an IDX file of the expected kind (magic %08x, expected %08x)", m,
          expected));
    }
  }

  private static DataException missing(Path p) {
    return new DataException(p, "not found (install Debian's dataset-fashion-mnist, or pass the folder holding the "
        + "four *-ubyte.gz files)");
  }
}
