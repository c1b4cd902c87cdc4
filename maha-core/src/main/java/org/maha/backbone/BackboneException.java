package org.maha.backbone;

/**
 * Bad user input about a model file: missing, not ONNX, an input or level of the wrong shape, unknown level names.
 * The message always starts with the file as the user gave it, then says what was expected and what was found.
 */
public final class BackboneException extends Exception {
  private static final long serialVersionUID = 1L;

  public BackboneException(String message) {
    super(message);
  }

  public BackboneException(String message, Throwable cause) {
    super(message, cause);
  }
}
