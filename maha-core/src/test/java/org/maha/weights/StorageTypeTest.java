package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorageTypeTest {

  @Test
  void convertsHalfPrecisionBitPatternsExactly() {
    assertThat(StorageType.halfToFloat((short) 0x3c00)).isEqualTo(1f);
    assertThat(StorageType.halfToFloat((short) 0xc000)).isEqualTo(-2f);
    assertThat(StorageType.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(StorageType.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
    assertThat(StorageType.halfToFloat((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
    assertThat(StorageType.halfToFloat((short) 0x8000)).isEqualTo(-0f);
    assertThat(StorageType.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(StorageType.halfToFloat((short) 0x7e00)).isNaN();
    assertThat(StorageType.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
  }
}
