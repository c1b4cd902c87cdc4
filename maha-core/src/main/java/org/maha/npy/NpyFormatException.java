package org.maha.npy;

/** An .npy file that cannot be read: the message says what is wrong with it, the caller adds which file. */
public final class NpyFormatException extends Exception {
  public NpyFormatException(String message) {
    super(message);
  }
}
