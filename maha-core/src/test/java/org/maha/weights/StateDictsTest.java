package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.npy.NpyArray;

class StateDictsTest {

  @TempDir Path tmp;

  /** Every conversion here (f16, bf16, f64, int → f32) is exact or a single rounding, as numpy's astype: equal bits. */
  private static void assertMatchesExpected(Map<String, Tensor> sd) {
    assertThat(new ArrayList<>(sd.keySet())).containsExactlyElementsOf(WeightFixtures.expectedKeys());
    for (Tensor t : sd.values()) {
      NpyArray want = WeightFixtures.expected(t.name());
      assertThat(t.shape()).as(t.name()).containsExactly(want.shape());
      float[] expected = new float[want.data().length];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (float) want.data()[i];
      }
      assertThat(t.data()).as(t.name()).containsExactly(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sd_zip.pth", "sd_legacy.pth", "sd.safetensors"})
  void readsEveryDtypeViewAndOffsetAsTorchSavedThem(String file) throws Exception {
    assertMatchesExpected(StateDicts.read(WeightFixtures.path(file)));
  }

  @Test
  void unwrapsACheckpointThatHoldsTheStateDictUnderStateDict() throws Exception {
    assertMatchesExpected(StateDicts.read(WeightFixtures.path("sd_wrapped.pth")));
  }

  @Test
  void unwrapsADataParallelTrainingCheckpointAndDropsTheModulePrefix() throws Exception {
    assertMatchesExpected(StateDicts.read(WeightFixtures.path("sd_ddp_legacy.pth")));
  }

  @Test
  void dropsAWrapperPrefixOnlyWhenEveryKeyHasIt() {
    Tensor t = new Tensor("x", new int[] {1}, new float[] {1f});
    Map<String, Tensor> all = new java.util.LinkedHashMap<>();
    all.put("module._orig_mod.conv.weight", t);
    all.put("module._orig_mod.fc.bias", t);
    assertThat(StateDicts.withoutWrapperPrefix(all)).containsOnlyKeys("conv.weight", "fc.bias");
    assertThat(StateDicts.withoutWrapperPrefix(all).get("fc.bias").name()).isEqualTo("fc.bias");
    Map<String, Tensor> some = new java.util.LinkedHashMap<>(all);
    some.put("conv.weight", t);
    assertThat(StateDicts.withoutWrapperPrefix(some)).isEqualTo(some);
    Map<String, Tensor> features = Map.of("features.0.weight", t, "features.1.weight", t);
    assertThat(StateDicts.withoutWrapperPrefix(features)).isEqualTo(features);
  }

  /** The JDK does not check the CRC-32 of stored zip entries; torch.save stores storages uncompressed. */
  @Test
  void refusesAZipCheckpointWithBytesAlteredInsideAStorage() throws Exception {
    byte[] all = Files.readAllBytes(WeightFixtures.path("sd_zip.pth"));
    byte[] name = "/data/0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int header = -1;
    for (int i = 0; i + 30 + name.length < all.length && header < 0; i++) {
      // local file header signature PK\3\4 whose name ends with /data/0
      if (all[i] == 'P' && all[i + 1] == 'K' && all[i + 2] == 3 && all[i + 3] == 4) {
        int n = (all[i + 26] & 0xff) | (all[i + 27] & 0xff) << 8;
        String entry = new String(all, i + 30, n, java.nio.charset.StandardCharsets.US_ASCII);
        if (entry.endsWith("/data/0")) {
          header = i;
        }
      }
    }
    assertThat(header).as("local header of data/0").isNotNegative();
    int data = header + 30 + ((all[header + 26] & 0xff) | (all[header + 27] & 0xff) << 8)
        + ((all[header + 28] & 0xff) | (all[header + 29] & 0xff) << 8);
    byte[] bad = all.clone();
    bad[data + 2] ^= (byte) 0x40;
    Path tampered = tmp.resolve("tampered.pth");
    Files.write(tampered, bad);
    assertThatThrownBy(() -> StateDicts.read(tampered))
        .isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith(tampered + ": ")
        .hasMessageContaining("data/0' is corrupt (CRC-32");
  }

  @Test
  void readsNonContiguousAndOffsetTensorsInCOrder() throws Exception {
    Map<String, Tensor> sd = StateDicts.read(WeightFixtures.path("sd_zip.pth"));
    assertThat(sd.get("transposed").shape()).containsExactly(4, 3);
    assertThat(sd.get("slice").numel()).isEqualTo(5);
    // the two slices share one storage: slice[4] and slice_tail[0] are the same element
    assertThat(sd.get("slice").get(4)).isEqualTo(sd.get("slice_tail").get(0));
    assertThat(sd.get("scalar").rank()).isZero();
    assertThat(sd.get("scalar").get(0)).isEqualTo(2.5f);
    assertThat(sd.get("bn.num_batches_tracked").get(0)).isEqualTo(5f);
    assertThat(sd.get("long").data()).containsExactly(-3f, 0f, 7f, (float) (1L << 40));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mal_os_system_zip.pth", "mal_os_system_legacy.pth"})
  void refusesAPickleGlobalOutsideTheAllowList(String file) throws Exception {
    Path mal = copy(file, "model.pth");
    assertThatThrownBy(() -> StateDicts.read(mal))
        .isInstanceOf(WeightFileException.class)
        .hasMessage(mal + ": refuses pickle global 'os.system': only state dicts of tensors are read (for a "
            + "pickled model, save model.state_dict() instead)");
    assertThat(Path.of("/tmp/maha_weights_pwned_zip")).doesNotExist();
    assertThat(Path.of("/tmp/maha_weights_pwned_legacy")).doesNotExist();
  }

  @Test
  void refusesBuiltinsEvalReachedThroughStackGlobal() {
    Path mal = WeightFixtures.path("mal_eval_stack_global.pth");
    assertThatThrownBy(() -> StateDicts.read(mal))
        .isInstanceOf(WeightFileException.class)
        .hasMessage(mal + ": refuses pickle global 'builtins.eval': only state dicts of tensors are read (for a "
            + "pickled model, save model.state_dict() instead)");
    assertThat(Path.of("/tmp/maha_weights_pwned_eval")).doesNotExist();
  }

  @Test
  void refusesAStorageClaimingMoreBytesThanTheFileHolds() {
    Path huge = WeightFixtures.path("huge_storage_claim.pth");
    assertThatThrownBy(() -> StateDicts.read(huge))
        .isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith(huge + ": storage '0' claims 1000000000 elements")
        .hasMessageContaining("more than the file's");
  }

  @Test
  void refusesAStrideZeroViewThatWouldExpandBeyondTheFile() {
    Path expand = WeightFixtures.path("stride0_expansion.pth");
    assertThatThrownBy(() -> StateDicts.read(expand))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("more than the file could hold");
  }

  /** Cuts each format at many lengths: every cut must give a WeightFileException, never another exception. */
  @ParameterizedTest
  @ValueSource(strings = {"sd_zip.pth", "sd_legacy.pth", "sd.safetensors"})
  void refusesTruncatedFilesWithAMessageNamingTheFile(String file) throws Exception {
    byte[] all = Files.readAllBytes(WeightFixtures.path(file));
    List<Integer> cuts = new ArrayList<>(List.of(0, 1, 5, 9, 20, all.length / 2, all.length - 1));
    for (int n = 13; n < all.length; n += 61) {
      cuts.add(n);
    }
    for (int n : cuts) {
      Path cut = tmp.resolve("cut_" + n + "_" + file);
      Files.write(cut, Arrays.copyOf(all, n));
      assertThatThrownBy(() -> StateDicts.read(cut)).as("cut at %d of %d", n, all.length)
          .isInstanceOf(WeightFileException.class)
          .hasMessageStartingWith(cut + ": ");
    }
  }

  @Test
  void refusesAFileOfAnotherFormat() throws IOException {
    Path npy = WeightFixtures.path("expected/conv.weight.npy");
    assertThatThrownBy(() -> StateDicts.read(npy))
        .isInstanceOf(WeightFileException.class)
        .hasMessage(npy + ": not a PyTorch checkpoint (zip or legacy) or safetensors file");
  }

  @Test
  void refusesAMissingFile() {
    Path missing = tmp.resolve("nope.pth");
    assertThatThrownBy(() -> StateDicts.read(missing))
        .isInstanceOf(WeightFileException.class)
        .hasMessage(missing + ": file not found");
  }

  @Test
  void refusesSafetensorsWhoseOffsetsLieOutsideTheData() throws IOException {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path f = tmp.resolve("short.safetensors");
    Files.write(f, b.array());
    assertThatThrownBy(() -> StateDicts.read(f))
        .isInstanceOf(WeightFileException.class)
        .hasMessage(f + ": tensor 'w' data_offsets [0, 16] lie outside the 8 data bytes");
  }

  private Path copy(String fixture, String as) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(fixture + ".d"));
    return Files.copy(WeightFixtures.path(fixture), dir.resolve(as));
  }
}
