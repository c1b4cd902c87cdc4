package org.maha.serve;

/**
 * A request the service refuses: the HTTP status and one message naming the problem, sent as the JSON error body
 * ({@code {"error": message}}, the Open Inference Protocol's error shape). Never carries a stack trace to the client.
 */
final class HttpError extends Exception {
  private static final long serialVersionUID = 1L;
  final int status;
  final String retryAfter;

  HttpError(int status, String message) {
    this(status, message, null);
  }

  HttpError(int status, String message, String retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}
