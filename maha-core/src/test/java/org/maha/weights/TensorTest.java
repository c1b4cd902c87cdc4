package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void copiesArraysInAndOut() {
    int[] shape = {2, 3};
    float[] data = {1, 2, 3, 4, 5, 6};
    Tensor t = new Tensor("w", shape, data);
    shape[0] = 9;
    data[0] = 9;
    t.data()[1] = 9;
    t.shape()[1] = 9;
    assertThat(t.shape()).containsExactly(2, 3);
    assertThat(t.data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(t.numel()).isEqualTo(6);
    assertThat(t.rank()).isEqualTo(2);
    assertThat(t.dim(1)).isEqualTo(3);
    assertThat(t).isEqualTo(new Tensor("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
  }

  @Test
  void rejectsDataThatDoesNotMatchTheShape() {
    assertThatThrownBy(() -> new Tensor("w", new int[] {2, 2}, new float[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor w: shape [2, 2] needs 4 values, got 3");
    assertThat(new Tensor("s", new int[0], new float[] {7}).numel()).isEqualTo(1);
  }
}
