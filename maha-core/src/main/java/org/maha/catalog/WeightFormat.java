package org.maha.catalog;

/**
 * The container a weight file comes in, so the right reader is chosen before the file is opened. A PyTorch
 * checkpoint may be either of {@code torch.save}'s formats (legacy pickle or zip); the reader tells them apart by
 * their first bytes.
 */
public enum WeightFormat {
  /** {@code torch.save} output: a state dict of tensors. */
  TORCH_CHECKPOINT,
  /** A TensorFlow Lite flatbuffer (possibly int8/uint8 quantised). */
  TFLITE
}
