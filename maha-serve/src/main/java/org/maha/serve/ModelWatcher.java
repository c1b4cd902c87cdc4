package org.maha.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hot swap from disk: polls the served models' files and, when one changes (modification time or size) to a model
 * with another SHA-256, replaces the served model with it exactly as a {@code PUT} would (read within the model
 * size limit, verified, matched to a backbone, swapped atomically; requests in flight finish on the old model). A
 * file that is refused (half copied, corrupt, for another backbone) is logged and the old model keeps serving; it
 * is tried again when it changes again. Polling rather than file-system events: it sees a file replaced by rename
 * (as {@code maha fit} writes), in any folder, on any file system.
 */
final class ModelWatcher implements AutoCloseable {
  private record Seen(long modifiedMillis, long size) {}

  private final ModelRegistry registry;
  private final Map<String, Path> files;
  private final ServeConfig config;
  private final Map<String, Seen> seen = new HashMap<>(); // only the timer thread touches it after construction
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "maha-model-watch");
    t.setDaemon(true);
    return t;
  });

  ModelWatcher(ModelRegistry registry, ServeConfig config, Duration interval) {
    this.registry = registry;
    this.config = config;
    this.files = config.models();
    files.forEach((name, file) -> seen.put(name, stat(file)));
    long ms = Math.max(10, interval.toMillis());
    timer.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
  }

  private static Seen stat(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Seen(a.lastModifiedTime().toMillis(), a.size());
    } catch (IOException e) {
      return null; // absent for a moment (being replaced): seen again when it is back
    }
  }

  /** One pass over the files; never throws, so the schedule goes on. */
  void poll() {
    for (Map.Entry<String, Path> e : files.entrySet()) {
      String name = e.getKey();
      Path file = e.getValue();
      try {
        Seen now = stat(file);
        if (now == null || now.equals(seen.get(name))) {
          continue;
        }
        seen.put(name, now);
        byte[] bytes = ModelRegistry.readBounded(file, config.limits().maxModelBytes());
        LoadedModel old = registry.get(name);
        if (ModelRegistry.sha256(bytes).equals(old.sha256())) {
          continue; // touched, or already uploaded with PUT
        }
        LoadedModel m = registry.replace(name, bytes);
        config.log().accept("model '" + name + "' reloaded from " + file + ": " + old.sha256() + " -> "
            + m.sha256());
      } catch (ServeException ex) {
        config.log().accept("model '" + name + "': " + file + " changed but is refused (" + ex.getMessage()
            + "); it keeps serving " + registry.get(name).sha256());
      } catch (RuntimeException ex) {
        config.log().accept("model '" + name + "': watching " + file + " failed: " + ex);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
