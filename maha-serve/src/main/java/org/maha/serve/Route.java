package org.maha.serve;

import java.util.List;

/**
 * One served route: method and path template, where {@code {name}} matches one path segment (a model name). The
 * table of routes is the single source of the dispatcher, the 405 answers and the OpenAPI check.
 *
 * @param method HTTP method
 * @param template path with {@code {name}} placeholders
 * @param open whether it is served without an API key (health only)
 */
record Route(String method, String template, boolean open) {
  List<String> segments() {
    return List.of(template.substring(1).split("/", -1));
  }

  /** The {@code {name}} segment of {@code path} if the path fits the template ("" when it has none), else null. */
  String match(List<String> path) {
    List<String> t = segments();
    if (t.size() != path.size()) {
      return null;
    }
    String name = "";
    for (int i = 0; i < t.size(); i++) {
      if (t.get(i).equals("{name}")) {
        name = path.get(i);
      } else if (!t.get(i).equals(path.get(i))) {
        return null;
      }
    }
    return name;
  }
}
