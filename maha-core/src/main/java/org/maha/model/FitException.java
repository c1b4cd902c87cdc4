package org.maha.model;

/** The training data cannot give a model (too few images, constant features): a user-input problem. */
public final class FitException extends Exception {
  public FitException(String message) {
    super(message);
  }
}
