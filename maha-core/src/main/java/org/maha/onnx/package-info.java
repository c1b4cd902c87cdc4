/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Writes ONNX models from Java, with no protobuf dependency: a minimal protobuf wire-format encoder for the few
 * onnx.proto messages needed (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto),
 * a {@link org.maha.onnx.GraphBuilder} that tracks shapes and names, and
 * {@link org.maha.onnx.BatchNormFold}, which folds inference BatchNorm into convolutions.
 *
 * <p>Why: maha turns official weight files into backbones on the user's machine (issue 3) and runs them through
 * ONNX Runtime, so the graph must be produced in Java. The encoder writes fields in field-number order, exactly as
 * protobuf's reference serialiser does, so a graph's bytes can be compared with {@code onnx.helper}'s.
 *
 * <p>Promises: models use IR version 8, opset 13-17 (default 17), producer "maha", float32 NCHW values with a
 * symbolic batch axis {@code "N"}, weights as {@code raw_data} initializers. Misuse (unknown value, a weight that
 * does not fit its input) raises {@link java.lang.IllegalArgumentException} naming the weight; nothing here does
 * I/O or prints.
 */
package org.maha.onnx;
