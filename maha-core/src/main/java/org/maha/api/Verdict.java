package org.maha.api;

/** The decision of a calibrated model about one image: whether its score is above the calibrated threshold. */
public enum Verdict {
  /** Scored at or below the threshold: like the good images the model was fitted and calibrated on. */
  NORMAL,
  /** Scored above the threshold: flag it for inspection. */
  ANOMALOUS
}
