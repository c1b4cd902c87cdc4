package org.maha.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One response: status, content type, body bytes and extra headers, plus what the access log and metrics record
 * about it (the model it concerned and how many images).
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
  static final ObjectMapper JSON = new ObjectMapper();

  static Reply json(int status, Object tree) {
    try {
      return new Reply(status, "application/json", JSON.writeValueAsBytes(tree), Map.of());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Reply text(String contentType, String body) {
    return new Reply(200, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static Reply error(HttpError e) {
    Reply r = json(e.status, JSON.createObjectNode().put("error", e.getMessage()));
    return e.retryAfter == null ? r : new Reply(r.status, r.contentType, r.body, Map.of("Retry-After", e.retryAfter));
  }
}
