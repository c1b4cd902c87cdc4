package org.maha.catalog;

import org.maha.files.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Official weight files on local disk: {@code <root>/weights/<official file name>}, downloaded on first use,
 * verified against the catalog hash every time they are handed out.
 *
 * <p>A download goes to {@code <file>.part}. If a part is there from an interrupted download, the rest is asked
 * for with {@code Range: bytes=<size>-}; a server that answers 206 continues the part, one that answers 200 sends
 * the whole file, which then replaces the part. Only a file whose hash matches is renamed (atomically where the
 * file system can) to its final name, so a reader never sees a partial or unverified file. A wrong hash deletes
 * the part; if the part had been resumed, the file is fetched once more from zero first, since a stale part is the
 * likelier culprit. The URLs of an entry are tried in order.
 *
 * <p>The root is passed in, so tests and callers never depend on the environment; {@link #defaultRoot()} is the
 * one place that reads {@code MAHA_HOME}. Not safe for two processes fetching the same file at once.
 */
public final class WeightCache {
  /** Sub-folder of the root holding weight files (the root may later hold other things, e.g. exported graphs). */
  static final String WEIGHTS_DIR = "weights";
  /** How often the waiting thread reports progress and checks for a stalled transfer. */
  private static final long POLL_MILLIS = 100;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final Path root;
  private final DownloadSettings settings;

  /**
   * @param root     cache folder (created on first download)
   * @param settings network timeouts
   */
  public WeightCache(Path root, DownloadSettings settings) {
    this.root = Objects.requireNonNull(root, "root");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** A cache at {@code root} with {@link DownloadSettings#DEFAULT}. */
  public WeightCache(Path root) {
    this(root, DownloadSettings.DEFAULT);
  }

  /** {@code $MAHA_HOME} if set and not blank, else {@code ~/.cache/maha}. */
  public static Path defaultRoot() {
    return defaultRoot(System.getenv(), System.getProperty("user.home"));
  }

  /** {@link #defaultRoot()} for a given environment and home folder (so callers and tests can inject both). */
  public static Path defaultRoot(Map<String, String> env, String userHome) {
    String home = env.get("MAHA_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return Path.of(userHome, ".cache", "maha");
  }

  /** The cache folder. */
  public Path root() {
    return root;
  }

  /** Where {@code entry}'s file is, or will be once fetched. */
  public Path pathOf(CatalogEntry entry) {
    return weightsDir().resolve(entry.fileName());
  }

  /** Where an interrupted download of {@code entry} is kept until it is resumed. */
  Path partPathOf(CatalogEntry entry) {
    return root.resolve(WEIGHTS_DIR).resolve(entry.fileName() + ".part");
  }

  /**
   * Re-hashes {@code entry}'s cached file: the one under its current name, else the first of its former files
   * present in the cache (an earlier name of the same weights, {@link CatalogEntry#formerFiles()}).
   *
   * @throws WeightCacheException when the file exists but cannot be read
   */
  public Verification verify(CatalogEntry entry) throws WeightCacheException {
    Path file = pathOf(entry);
    ExpectedHash expected = entry.hash();
    if (!Files.isRegularFile(file)) {
      Optional<CatalogEntry.FormerFile> former = entry.formerFiles().stream()
          .filter(f -> Files.isRegularFile(weightsDir().resolve(f.fileName()))).findFirst();
      if (former.isEmpty()) {
        return new Verification(entry, file, Verification.Status.MISSING, Optional.empty());
      }
      file = weightsDir().resolve(former.get().fileName());
      expected = former.get().hash();
    }
    String sha = hash(file);
    return new Verification(entry, file,
        expected.matches(sha) ? Verification.Status.VERIFIED : Verification.Status.MISMATCH, Optional.of(sha));
  }

  private Path weightsDir() {
    return root.resolve(WEIGHTS_DIR);
  }

  /**
   * {@code entry}'s verified weight file: the cached one if it is there and verifies, else downloaded (resuming a
   * part when possible), verified and moved into the cache. A cached file with the wrong hash is deleted and
   * fetched again. A former file of the entry already in the cache that has its hash is used as it is (a former
   * file with another hash is left alone: it may be another tool's).
   *
   * @throws WeightCacheException naming each URL tried and why it failed, and where to put a file fetched by hand
   */
  public Path fetch(CatalogEntry entry, DownloadListener listener) throws WeightCacheException {
    Objects.requireNonNull(listener, "listener");
    Path target = pathOf(entry);
    if (Files.isRegularFile(target)) {
      if (entry.hash().matches(hash(target))) {
        return target;
      }
      if (!entry.hash().pinned()) {
        // damaged; a file that only differs from a digest the user pinned stays until a download replaces it
        deleteOrFail(target);
      }
    }
    for (CatalogEntry.FormerFile f : entry.formerFiles()) {
      Path former = weightsDir().resolve(f.fileName());
      if (Files.isRegularFile(former) && f.hash().matches(hash(former))) {
        return former;
      }
    }
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new WeightCacheException("cannot create the weight cache folder " + target.getParent() + " ("
          + describe(e) + "); set MAHA_HOME to a writable folder, or pass --weights FILE", e);
    }
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(settings.connectTimeout())
        .build();
    List<String> failures = new ArrayList<>();
    boolean wrongFile = false;
    for (URI url : entry.urls()) {
      try {
        download(client, entry, url, listener);
        return target;
      } catch (AttemptFailed f) {
        failures.add(url + " (" + f.getMessage() + ")");
        wrongFile |= f.wrongHash;
      }
    }
    // one line: every URL with its reason (the file, expected and computed hash), then the ways out
    throw new WeightCacheException("cannot download " + entry.name() + " from " + String.join(" or ", failures)
        + "; download it by hand and put it at " + target + ", or pass --weights FILE"
        + (wrongFile && !entry.hash().pinned() ? ", or --expect-sha256 HEX to pin a digest obtained elsewhere" : ""));
  }

  /**
   * Checks a weight file the user named instead of the cache ({@code --weights FILE}). A file with the official
   * hash (or a former official file's, {@link CatalogEntry#formerFiles()}) is verified, whatever its name. A file
   * with an official name but another hash is refused: it is a damaged or tampered copy; so is any other file when
   * the digest is pinned ({@link ExpectedHash#pinned()}). Any other file (fine-tuned or converted weights) is
   * accepted unverified, with a note for the caller to show.
   *
   * @throws WeightCacheException when the file is missing or unreadable, or has an official name (or the digest is
   *                              pinned) and a wrong hash
   */
  public LocalWeights fromLocalFile(CatalogEntry entry, Path file) throws WeightCacheException {
    if (!Files.isRegularFile(file)) {
      // never opened: a FIFO would block, a folder or device is no weight file
      String what = Files.isDirectory(file) ? "is a folder, not a weight file"
          : Files.exists(file) ? "is not a regular file (a pipe, socket or device)" : "not found";
      throw new WeightCacheException(file + ": " + what + " (expected the " + entry.name() + " weights file, "
          + "officially " + entry.fileName() + ")");
    }
    String sha = hash(file);
    if (entry.hash().matches(sha) || entry.formerFiles().stream().anyMatch(f -> f.hash().matches(sha))) {
      return new LocalWeights(file, sha, true, Optional.empty());
    }
    String name = file.getFileName().toString();
    if (entry.hash().pinned()) {
      throw new WeightCacheException(file + ": SHA-256 is " + sha + ", expected " + entry.hash().describe()
          + " for " + entry.name() + "; the file is not the one pinned");
    }
    Optional<ExpectedHash> official = name.equals(entry.fileName()) ? Optional.of(entry.hash())
        : entry.formerFiles().stream().filter(f -> f.fileName().equals(name)).map(CatalogEntry.FormerFile::hash)
            .findFirst();
    if (official.isPresent()) {
      throw new WeightCacheException(file + ": SHA-256 is " + sha + ", expected " + official.get().describe()
          + " for " + entry.name() + "; the file is damaged or not the official one");
    }
    return new LocalWeights(file, sha, false, Optional.of(file + ": not the official " + entry.name() + " file "
        + entry.fileName() + " (expected " + entry.hash().describe() + ", found SHA-256 " + sha
        + "); using it unverified"));
  }

  /** One URL: at most two rounds, the second from zero when the first resumed a part that proved unusable. */
  private void download(HttpClient client, CatalogEntry entry, URI url, DownloadListener listener)
      throws AttemptFailed, WeightCacheException {
    Path part = partPathOf(entry);
    for (int round = 0; round < 2; round++) {
      long have = sizeOrZero(part);
      Transfer t = transfer(client, entry, url, part, have, listener);
      if (t == Transfer.RESTART) {
        deleteOrFail(part);
        continue;
      }
      String sha = hash(part);
      if (entry.hash().matches(sha)) {
        moveIntoPlace(part, pathOf(entry));
        return;
      }
      deleteOrFail(part);
      if (have == 0) {
        throw new AttemptFailed("the downloaded file has SHA-256 " + sha + ", expected " + entry.hash().describe()
            + "; deleted it", true);
      }
    }
    throw new AttemptFailed("the resumed and the fresh download both failed verification");
  }

  private enum Transfer { COMPLETE, RESTART }

  /** Sends one request and writes the body into {@code part}; {@link Transfer#RESTART} asks for a fresh start. */
  private Transfer transfer(HttpClient client, CatalogEntry entry, URI url, Path part, long have,
      DownloadListener listener) throws AttemptFailed, WeightCacheException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET()
        .timeout(settings.connectTimeout().plus(settings.idleTimeout()));
    if (have > 0) {
      rb.header("Range", "bytes=" + have + "-");
    }
    // set on an HTTP client thread, read on this one
    AtomicReference<FileSink> sink = new AtomicReference<>();
    AtomicBoolean rangeRefused = new AtomicBoolean();
    HttpResponse.BodyHandler<Long> handler = info -> {
      int status = info.statusCode();
      try {
        if (status == 200) {
          FileSink s = new FileSink(part, false, info.headers().firstValueAsLong("Content-Length").orElse(-1));
          sink.set(s);
          return s;
        }
        if (status == 206 && have > 0) {
          Matcher m = CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse(""));
          if (m.matches() && Long.parseLong(m.group(1)) == have) {
            FileSink s = new FileSink(part, true, "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3)));
            sink.set(s);
            return s;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      rangeRefused.set(have > 0 && (status == 206 || status == 416));
      return HttpResponse.BodySubscribers.replacing(-1L);
    };
    listener.started(entry, url, have);
    CompletableFuture<HttpResponse<Long>> future = client.sendAsync(rb.build(), handler);
    HttpResponse<Long> response = await(future, sink, listener);
    int status = response.statusCode();
    if (rangeRefused.get()) {
      return Transfer.RESTART;
    }
    FileSink written = sink.get();
    if (written == null) {
      throw new AttemptFailed("HTTP " + status);
    }
    long done = written.bytesOnDisk();
    long total = written.bytesTotal();
    listener.progress(done, total);
    if (total >= 0 && done != total) {
      throw new AttemptFailed("the transfer stopped after " + done + " of " + total + " bytes; run again to resume");
    }
    return Transfer.COMPLETE;
  }

  /** Waits for the response on this thread, reporting progress and giving up when no data arrives in time. */
  private HttpResponse<Long> await(CompletableFuture<HttpResponse<Long>> future, AtomicReference<FileSink> sink,
      DownloadListener listener) throws AttemptFailed, WeightCacheException {
    long start = System.nanoTime();
    long idleNanos = settings.idleTimeout().toNanos();
    long lastReported = -1;
    while (true) {
      try {
        return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        FileSink s = sink.get();
        long now = System.nanoTime();
        long since = s == null ? now - start - settings.connectTimeout().toNanos() : now - s.lastActivityNanos();
        if (since > idleNanos) {
          if (s != null) {
            s.abort(new HttpTimeoutException("idle"));
          }
          future.cancel(true);
          throw new AttemptFailed("no data for " + seconds(settings.idleTimeout())
              + (s == null ? "" : " after " + s.bytesOnDisk() + " bytes; run again to resume"));
        }
        if (s != null && s.bytesOnDisk() != lastReported) {
          lastReported = s.bytesOnDisk();
          listener.progress(lastReported, s.bytesTotal());
        }
      } catch (ExecutionException e) {
        throw new AttemptFailed(describe(e.getCause()));
      } catch (InterruptedException e) {
        future.cancel(true);
        FileSink s = sink.get();
        if (s != null) {
          s.abort(e);
        }
        Thread.currentThread().interrupt();
        throw new WeightCacheException("download interrupted; the part is kept and will be resumed", e);
      }
    }
  }

  /** A short reason for a failed request, without the exception plumbing. */
  private String describe(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException || c instanceof UncheckedIOException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof HttpConnectTimeoutException) {
      return "no connection within " + seconds(settings.connectTimeout());
    }
    if (c instanceof HttpTimeoutException) {
      return "no response within " + seconds(settings.connectTimeout().plus(settings.idleTimeout()));
    }
    if (c instanceof ConnectException) {
      Throwable root = c;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getMessage() == null ? "connection refused" : "cannot connect: " + root.getMessage();
    }
    if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
      return "unknown host, or no network";
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": "
        + c.getMessage();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }

  private String hash(Path file) throws WeightCacheException {
    try {
      return Sha256.of(file);
    } catch (IOException e) {
      throw new WeightCacheException(file + ": cannot read (" + describe(e) + ")", e);
    }
  }

  private static long sizeOrZero(Path file) throws WeightCacheException {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new WeightCacheException(file + ": cannot read its size (" + e.getMessage() + ")", e);
    }
  }

  private static void deleteOrFail(Path file) throws WeightCacheException {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new WeightCacheException(file + ": cannot delete the unverified file (" + e.getMessage() + ")", e);
    }
  }

  private static void moveIntoPlace(Path from, Path to) throws WeightCacheException {
    try {
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new WeightCacheException(to + ": cannot move the verified download into place (" + e.getMessage()
          + ")", e);
    }
  }

  /** One URL failed; the message is the reason, shown in parentheses after the URL. */
  private static final class AttemptFailed extends Exception {
    private static final long serialVersionUID = 1L;
    /** The server answered with a whole file that is not the expected one (not a network failure). */
    final boolean wrongHash;

    AttemptFailed(String reason) {
      this(reason, false);
    }

    AttemptFailed(String reason, boolean wrongHash) {
      super(reason);
      this.wrongHash = wrongHash;
    }
  }
}
