package org.maha.serve;

import java.time.Instant;
import org.maha.api.Detector;
import org.maha.api.FittedModel;

/**
 * A model as served: immutable, so a request that took it keeps scoring with it while a swap installs another.
 *
 * @param name the name it is served under
 * @param model the fitted model
 * @param sha256 the SHA-256 of its {@code .maha} file: which model answered, in every response
 * @param detector the (shared) detector of its backbone
 * @param backboneFile the ONNX file the detector runs
 * @param loadedAt when it started serving
 */
record LoadedModel(String name, FittedModel model, String sha256, Detector detector, String backboneFile,
    Instant loadedAt) {}
