package org.maha.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.maha.api.AnomalyMap;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.MahaException;
import org.maha.api.PreparedImages;
import org.maha.api.Score;
import org.maha.api.StageTimings;
import org.maha.api.Threshold;

/**
 * What each route answers, given a request already authorised, admitted and read within the limits. Scoring goes
 * through the public API only ({@code Detector.scoreAll} on {@code Images.encoded}), so the numbers are those of
 * {@code maha score} on the same bytes.
 */
final class Endpoints {
  private static final Pattern FRAME = Pattern.compile("\\bframe-(\\d+)\\b");
  private static final int MAX_NAME_CHARS = 200;

  private final ServeConfig config;
  private final ModelRegistry registry;
  private final Metrics metrics;
  private final BooleanSupplier ready;
  private final Semaphore scoring;
  private final java.util.concurrent.ConcurrentHashMap<org.maha.api.Detector, MicroBatcher> batchers =
      new java.util.concurrent.ConcurrentHashMap<>(); // Detector has identity equality: one batcher per session

  Endpoints(ServeConfig config, ModelRegistry registry, Metrics metrics, BooleanSupplier ready) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
    this.ready = ready;
    this.scoring = new Semaphore(config.limits().maxConcurrent(), true);
  }

  /** The GET routes. */
  Reply get(String template, String name) throws HttpError {
    return switch (template) {
      case "/v2/health/live" -> Reply.json(200, Reply.JSON.createObjectNode().put("live", true));
      case "/v2/health/ready" -> {
        boolean ok = ready.getAsBoolean();
        yield Reply.json(ok ? 200 : 503, Reply.JSON.createObjectNode().put("ready", ok));
      }
      case "/v2" -> {
        ObjectNode o = Reply.JSON.createObjectNode().put("name", "maha").put("version", version());
        o.putArray("extensions");
        yield Reply.json(200, o);
      }
      case "/v1/models" -> {
        ObjectNode o = Reply.JSON.createObjectNode();
        ArrayNode a = o.putArray("models");
        registry.names().forEach(n -> a.add(metadata(registry.get(n))));
        yield Reply.json(200, o);
      }
      case "/v2/models/{name}" -> Reply.json(200, metadata(registry.get(name)));
      case "/v2/models/{name}/ready" -> Reply.json(200, Reply.JSON.createObjectNode().put("name", name)
          .put("ready", ready.getAsBoolean()));
      case "/" -> page();
      case "/metrics" -> Reply.text("text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      case "/openapi.json" -> Reply.text("application/json", openApi());
      default -> throw new IllegalStateException("no GET handler for " + template);
    };
  }

  /**
   * {@code POST /v1/models/{name}/score}: raw image bytes, or multipart/form-data with one image per part. With
   * {@code ?maps=true} (a model fitted with {@code maha fit --maps} only), each image also gets its anomaly map's
   * overlay ({@link #mapped}).
   */
  Reply score(LoadedModel m, String contentType, byte[] body, MahaServer.Exchange x) throws HttpError {
    long start = System.nanoTime();
    boolean withMaps = mapsRequested(x.query);
    if (withMaps && !m.model().hasMaps()) {
      throw new HttpError(400, "maps=true: model '" + m.name() + "' has no anomaly maps (it was fitted without "
          + "maha fit --maps); score without maps=true, or serve a model fitted with --maps");
    }
    List<byte[]> images = new ArrayList<>();
    List<String> names = new ArrayList<>();
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    if (type.startsWith("multipart/form-data")) {
      multipart(contentType, body, images, names);
    } else if (type.isEmpty() || type.startsWith("image/") || type.startsWith("application/octet-stream")) {
      if (body.length == 0) {
        throw new HttpError(400, "the request body is empty: send the image's bytes");
      }
      images.add(body);
      names.add("image");
    } else {
      throw new HttpError(415, "Content-Type '" + clip(contentType) + "' is not accepted here: send an image's bytes "
          + "(image/png, image/jpeg, image/bmp, image/tiff or application/octet-stream) or multipart/form-data with "
          + "one image per part");
    }
    x.images = images.size();
    long read = System.nanoTime() - start;
    long t0 = System.nanoTime();
    List<Overlay> overlays = withMaps ? mapped(m, images, names) : null;
    List<Score> scores = withMaps ? overlays.stream().map(Overlay::score).toList() : run(m, images, names, x);
    long scored = System.nanoTime() - t0;
    audit(m, images, names, scores);
    ObjectNode o = Reply.JSON.createObjectNode();
    o.put("model", m.name());
    o.put("modelSha256", m.sha256());
    describeCalibration(o, m.model());
    if (withMaps) {
      o.put("mapLegend", MAP_LEGEND);
    }
    ArrayNode arr = o.putArray("images");
    Base64.Encoder b64 = Base64.getEncoder();
    for (int i = 0; i < scores.size(); i++) {
      Score s = scores.get(i);
      ObjectNode im = arr.addObject();
      im.put("name", names.get(i));
      im.put("score", s.score());
      ObjectNode d = im.putObject("levelDistances");
      s.levelDistances().forEach(d::put);
      s.verdict().ifPresentOrElse(v -> im.put("verdict", v.name().toLowerCase(Locale.ROOT)), () -> im.putNull("verdict"));
      s.pValue().ifPresentOrElse(v -> im.put("pValue", v), () -> im.putNull("pValue"));
      if (withMaps) {
        Overlay ov = overlays.get(i);
        ObjectNode mp = im.putObject("map");
        mp.put("width", ov.width());
        mp.put("height", ov.height());
        mp.put("maxValue", ov.maxValue());
        putOrNull(mp, "calmLevel", ov.calm());
        putOrNull(mp, "contourLevel", ov.contour());
        mp.put("exceedsContour", ov.exceedsContour());
        if (ov.png() == null) {
          mp.putNull("overlayPng");
          mp.put("note", "the model file keeps no display scale for its maps, so no overlay is drawn; fit it "
              + "again with maha fit --maps");
        } else {
          mp.put("overlayPng", b64.encodeToString(ov.png()));
        }
      }
    }
    ObjectNode t = o.putObject("timingsMs");
    t.put("read", ms(read));
    stages(t, x);
    t.put("score", ms(scored));
    t.put("total", ms(System.nanoTime() - start));
    return Reply.json(200, o);
  }

  /**
   * {@code POST /v2/models/{name}/infer}, the Open Inference Protocol (KServe v2) REST call: one BYTES input whose
   * elements are base64-encoded image files; outputs {@code score} (FP64 [n]), {@code level_distances}
   * (FP64 [n, levels]) and, for a calibrated model, {@code verdict} (BYTES [n]).
   */
  Reply infer(LoadedModel m, String contentType, byte[] body, MahaServer.Exchange x) throws HttpError {
    long start = System.nanoTime();
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    if (!type.isEmpty() && !type.startsWith("application/json")) {
      throw new HttpError(415, "Content-Type '" + clip(contentType) + "' is not accepted here: send an inference "
          + "request as application/json");
    }
    JsonNode req;
    try {
      req = Reply.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new HttpError(400, "malformed JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr()));
    } catch (IOException e) {
      throw new HttpError(400, "malformed JSON");
    }
    if (req == null || !req.isObject()) {
      throw new HttpError(400, "expected a JSON object with \"inputs\"");
    }
    JsonNode inputs = req.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
      throw new HttpError(400, "expected \"inputs\": an array of exactly one tensor (the images, datatype BYTES)");
    }
    JsonNode in = inputs.get(0);
    if (!in.isObject() || !"BYTES".equals(in.path("datatype").asText())) {
      throw new HttpError(400, "inputs[0]: expected \"datatype\": \"BYTES\" (each element an image file, base64)");
    }
    JsonNode data = in.get("data");
    if (data == null || !data.isArray()) {
      throw new HttpError(400, "inputs[0].data: expected an array of base64-encoded image files");
    }
    int n = data.size();
    if (n == 0) {
      throw new HttpError(400, "inputs[0].data: no image");
    }
    if (n > config.limits().maxImages()) {
      throw new HttpError(413, "inputs[0].data: " + n + " images, more than the limit of "
          + config.limits().maxImages() + " per request");
    }
    JsonNode shape = in.get("shape");
    if (shape == null || !shape.isArray() || shape.size() < 1 || shape.size() > 2 || shape.get(0).asLong() != n
        || (shape.size() == 2 && shape.get(1).asLong() != 1)) {
      throw new HttpError(400, "inputs[0].shape: expected [" + n + "] (or [" + n + ", 1]) for " + n + " elements");
    }
    List<byte[]> images = new ArrayList<>(n);
    List<String> names = new ArrayList<>(n);
    Base64.Decoder b64 = Base64.getDecoder();
    for (int i = 0; i < n; i++) {
      JsonNode e = data.get(i);
      if (!e.isTextual()) {
        throw new HttpError(400, "inputs[0].data[" + i + "]: expected a base64 string");
      }
      byte[] img;
      try {
        img = b64.decode(e.asText());
      } catch (IllegalArgumentException ex) {
        throw new HttpError(400, "inputs[0].data[" + i + "]: not valid base64");
      }
      if (img.length == 0) {
        throw new HttpError(400, "inputs[0].data[" + i + "]: empty; expected a base64-encoded image file");
      }
      images.add(img);
      names.add("data[" + i + "]");
    }
    x.images = n;
    List<Score> scores = run(m, images, names, x);
    audit(m, images, names, scores);
    List<String> levels = m.model().levels();
    ObjectNode o = Reply.JSON.createObjectNode();
    o.put("model_name", m.name());
    o.put("model_version", m.sha256().substring(0, 12));
    if (req.hasNonNull("id")) {
      o.put("id", clip(req.get("id").asText()));
    }
    ObjectNode p = o.putObject("parameters");
    p.put("model_sha256", m.sha256());
    describeCalibration(p, m.model());
    p.put("elapsed_ms", ms(System.nanoTime() - start));
    stages(p.putObject("timings_ms"), x);
    ArrayNode outs = o.putArray("outputs");
    ObjectNode sc = tensor(outs, "score", "FP64", n);
    ObjectNode ld = tensor(outs, "level_distances", "FP64", n);
    ((ArrayNode) ld.get("shape")).add(levels.size());
    ArrayNode ldd = ld.putArray("data");
    ArrayNode scd = sc.putArray("data");
    for (Score s : scores) {
      scd.add(s.score());
      levels.forEach(l -> ldd.add(s.levelDistances().get(l)));
    }
    if (m.model().threshold().isPresent()) {
      ArrayNode vd = tensor(outs, "verdict", "BYTES", n).putArray("data");
      scores.forEach(s -> vd.add(s.verdict().orElseThrow().name().toLowerCase(Locale.ROOT)));
    }
    if (m.model().hasCalibrationScores()) {
      ArrayNode pv = tensor(outs, "p_value", "FP64", n).putArray("data");
      scores.forEach(s -> pv.add(s.pValue().orElseThrow()));
    }
    return Reply.json(200, o);
  }

  /** {@code PUT /v1/models/{name}}: the body is a {@code .maha} file that replaces the model, or is refused. */
  Reply replace(String name, byte[] body) throws HttpError {
    if (body.length == 0) {
      throw new HttpError(400, "the request body is empty: send the .maha model file");
    }
    LoadedModel old = registry.get(name);
    LoadedModel m;
    try {
      m = registry.replace(name, body);
    } catch (ServeException e) {
      throw new HttpError(422, e.getMessage() + "; model '" + name + "' keeps serving " + old.sha256().substring(0, 12)
          + "...");
    }
    config.log().accept("model '" + name + "' replaced: " + old.sha256() + " -> " + m.sha256());
    ObjectNode o = metadata(m);
    o.put("replaced", old.sha256());
    return Reply.json(200, o);
  }

  /**
   * The time of each stage of a scored request: waiting for a gathered batch (with micro-batching), then decoding
   * (summed over the decode threads; with micro-batching, this request's own decoding on its thread), the backbone
   * and the statistics, of the call that scored it (the whole
   * gathered call with micro-batching).
   */
  private static void stages(ObjectNode t, MahaServer.Exchange x) {
    if (x.queuedNanos >= 0) {
      t.put("queue", ms(x.queuedNanos));
    }
    if (x.stages != null) {
      t.put("decode", ms(x.stages.decode().toNanos()));
      t.put("backbone", ms(x.stages.backbone().toNanos()));
      t.put("statistics", ms(x.stages.statistics().toNanos()));
    }
  }

  /** Waits for one of the {@code --max-concurrent} scoring slots; released by the caller in a finally block. */
  private void acquireScoringSlot() throws HttpError {
    try {
      scoring.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "the service is stopping", "5");
    }
  }

  private List<Score> run(LoadedModel m, List<byte[]> images, List<String> names, MahaServer.Exchange x)
      throws HttpError {
    if (config.maxBatch() > 1 && images.size() <= config.maxBatch()) {
      return gathered(m, images, names, x);
    }
    acquireScoringSlot();
    long t0 = System.nanoTime();
    try {
      org.maha.api.Scores s = m.detector().scoreAll(m.model(), Images.encoded(images));
      metrics.scoring(m.name(), System.nanoTime() - t0);
      metrics.stages(m.name(), s.timings());
      x.stages = s.timings();
      metrics.images(m.name(), "ok", s.size());
      s.forEach(sc -> sc.verdict().ifPresent(v -> metrics.verdict(m.name(), v.name().toLowerCase(Locale.ROOT))));
      return s;
    } catch (MahaException e) {
      throw refused(m, e, names, images.size());
    } catch (IllegalStateException e) { // the detector closed: the service is stopping
      throw new HttpError(503, "the service is stopping", "5");
    } finally {
      scoring.release();
    }
  }

  /**
   * Scoring through the backbone's micro-batcher: the request decodes its images on its own thread (beside the
   * backbone's work on other requests), then waits for its share of a gathered batch. A request of more images
   * than a batch holds is scored alone ({@link #run}), so prepared pixels held at once stay bounded by
   * {@code maxBatch} images per admitted request.
   */
  private List<Score> gathered(LoadedModel m, List<byte[]> images, List<String> names, MahaServer.Exchange x)
      throws HttpError {
    MicroBatcher b = batchers.computeIfAbsent(m.detector(), d -> new MicroBatcher(d, config.maxBatch(),
        config.maxDelayMillis(), metrics::batch));
    long t0 = System.nanoTime();
    PreparedImages prepared;
    try {
      prepared = b.prepare(Images.encoded(images), scoring); // at most --max-concurrent requests decode at once
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "the service is stopping", "5");
    } catch (MahaException e) {
      throw refused(m, e, names, images.size());
    } catch (IllegalStateException e) { // the detector closed: the service is stopping
      throw new HttpError(503, "the service is stopping", "5");
    }
    long decodeNanos = System.nanoTime() - t0;
    MicroBatcher.Result r;
    try {
      r = b.submit(m, prepared).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "the service is stopping", "5");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof MahaException me) {
        throw refused(m, me, names, images.size());
      }
      if (c instanceof OutOfMemoryError) {
        metrics.images(m.name(), "refused", images.size());
        throw new HttpError(503, "not enough memory to decode the image now; retry later or send smaller images", "5");
      }
      if (c instanceof IllegalStateException) {
        throw new HttpError(503, "the service is stopping", "5");
      }
      throw new IllegalStateException("scoring failed", c);
    }
    metrics.queued(m.name(), r.queuedNanos());
    metrics.scoring(m.name(), r.scoringNanos());
    StageTimings stages = new StageTimings(Duration.ofNanos(decodeNanos), r.stages().backbone(),
        r.stages().statistics()); // this request's own decoding, the gathered call's backbone and statistics
    metrics.stages(m.name(), stages);
    x.queuedNanos = r.queuedNanos();
    x.stages = stages;
    metrics.images(m.name(), "ok", r.scores().size());
    r.scores().forEach(sc -> sc.verdict().ifPresent(v -> metrics.verdict(m.name(), v.name().toLowerCase(Locale.ROOT))));
    return r.scores();
  }

  /** What the colours of an overlay mean, sent with every response that has maps. */
  static final String MAP_LEGEND = "anomaly map over the image: the Mahalanobis distance of the image's features at "
      + "each place from good images' features at the same place, on a fixed scale learnt from good images when the "
      + "model was fitted (never rescaled per image, so a good part stays calm): no colour up to calmLevel (the "
      + "median pixel of good images' maps), blue to yellow up to contourLevel, red with a white contour above it "
      + "(contourLevel: about the model's target false-positive rate of good images have any pixel above it)";

  /** One image scored with its map: the score, the map's summary and the overlay PNG (null without a scale). */
  private record Overlay(Score score, int width, int height, float maxValue, java.util.OptionalDouble calm,
      java.util.OptionalDouble contour, boolean exceedsContour, byte[] png) {}

  /**
   * Scores each image with its anomaly map ({@code Detector.anomalyMaps}: the same scores as {@code scoreAll}) and
   * draws its overlay on the model's fixed display scale ({@code AnomalyMap.overlayPng}, as {@code maha score
   * --maps} draws it), one image at a time under a scoring slot, so a request holds one map (4 bytes per pixel, and
   * about 20 bytes per pixel while it is made and drawn) plus the compressed overlays. Not micro-batched.
   */
  private List<Overlay> mapped(LoadedModel m, List<byte[]> images, List<String> names) throws HttpError {
    acquireScoringSlot();
    long t0 = System.nanoTime();
    List<Overlay> out = new ArrayList<>(images.size());
    try {
      for (int i = 0; i < images.size(); i++) {
        List<String> name = names.subList(i, i + 1);
        try {
          AnomalyMap a = m.detector().anomalyMaps(m.model(), Images.encoded(List.of(images.get(i)))).get(0);
          byte[] png = a.calmLevel().isPresent() ? a.overlayPng(images.get(i)) : null;
          out.add(new Overlay(a.score(), a.width(), a.height(), a.maxValue(), a.calmLevel(), a.contourLevel(),
              a.exceedsContour(), png));
        } catch (MahaException e) {
          throw refused(m, e, name, images.size());
        }
      }
      metrics.scoring(m.name(), System.nanoTime() - t0);
      metrics.images(m.name(), "ok", out.size());
      out.forEach(o -> o.score().verdict().ifPresent(v -> metrics.verdict(m.name(),
          v.name().toLowerCase(Locale.ROOT))));
      return out;
    } catch (IllegalStateException e) { // the detector closed: the service is stopping
      throw new HttpError(503, "the service is stopping", "5");
    } finally {
      scoring.release();
    }
  }

  /**
   * Whether the query asks for maps: {@code maps=true} (or {@code 1}); {@code maps=false}, {@code 0} or no
   * {@code maps} parameter do not; any other value is a 400.
   */
  static boolean mapsRequested(String query) throws HttpError {
    if (query == null || query.isEmpty()) {
      return false;
    }
    boolean maps = false;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k;
      String v;
      try {
        k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        v = eq < 0 ? "true" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, "malformed query string: " + clip(pair));
      }
      if (!k.equals("maps")) {
        continue;
      }
      maps = switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "1" -> true;
        case "false", "0" -> false;
        default -> throw new HttpError(400, "maps=" + clip(v) + ": expected maps=true or maps=false");
      };
    }
    return maps;
  }

  private static void putOrNull(ObjectNode o, String key, java.util.OptionalDouble v) {
    if (v.isPresent()) {
      o.put(key, v.getAsDouble());
    } else {
      o.putNull(key);
    }
  }

  /** A refused request: 400 naming the image, or 503 when the heap, not the image, is the problem. */
  private HttpError refused(LoadedModel m, MahaException e, List<String> names, int images) {
    metrics.images(m.name(), "refused", images);
    if (e.isInsufficientMemory()) {
      return new HttpError(503, "not enough memory to decode the image now; retry later or send smaller images", "5");
    }
    return new HttpError(400, rename(e.getMessage(), names));
  }

  /** One audit line per scored image, when the audit log is on. */
  private void audit(LoadedModel m, List<byte[]> images, List<String> names, List<Score> scores) {
    if (config.audit().isEmpty()) {
      return;
    }
    String now = java.time.Instant.now().toString();
    for (int i = 0; i < scores.size(); i++) {
      Score s = scores.get(i);
      ObjectNode o = Reply.JSON.createObjectNode();
      o.put("time", now);
      o.put("model", m.name());
      o.put("modelSha256", m.sha256());
      o.put("image", names.get(i));
      o.put("imageSha256", ModelRegistry.sha256(images.get(i)));
      o.put("score", s.score());
      s.verdict().ifPresentOrElse(v -> o.put("verdict", v.name().toLowerCase(Locale.ROOT)), () -> o.putNull("verdict"));
      s.pValue().ifPresent(v -> o.put("pValue", v));
      config.audit().get().accept(o.toString());
    }
  }

  /** Stops the micro-batchers after the requests queued in them are scored. */
  void closeBatchers() {
    batchers.values().forEach(MicroBatcher::close);
  }

  /** The API names images frame-0, frame-1, ...: the client knows them by its own names. */
  private static String rename(String message, List<String> names) {
    Matcher mt = FRAME.matcher(String.valueOf(message));
    StringBuilder sb = new StringBuilder();
    while (mt.find()) {
      int i = Integer.parseInt(mt.group(1));
      mt.appendReplacement(sb, Matcher.quoteReplacement(i < names.size() ? "'" + names.get(i) + "'" : mt.group()));
    }
    mt.appendTail(sb);
    return sb.toString();
  }

  private void multipart(String contentType, byte[] body, List<byte[]> images, List<String> names)
      throws HttpError {
    int max = config.limits().maxImages();
    MultiPartConfig mpc = new MultiPartConfig.Builder().maxParts(max).maxSize(body.length)
        .maxPartSize(body.length).maxMemoryPartSize(body.length).maxHeadersSize(8 * 1024).build();
    MultiPartFormData.Parts parts;
    try {
      parts = MultiPartFormData.getParts(Content.Source.from(new java.io.ByteArrayInputStream(body)),
          new org.eclipse.jetty.util.Attributes.Mapped(), contentType, mpc);
    } catch (Exception e) {
      Throwable c = e;
      while (c.getCause() != null) {
        c = c.getCause();
      }
      String why = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
      if (why.contains("too many")) {
        throw new HttpError(413, "more than " + max + " images in one request");
      }
      throw new HttpError(400, "malformed multipart/form-data body (" + clip(c.getMessage()) + ")");
    }
    try (parts) {
      if (parts.size() == 0) {
        throw new HttpError(400, "multipart/form-data body without a part: send one image per part");
      }
      for (MultiPart.Part part : parts) {
        try (InputStream in = Content.Source.asInputStream(part.createContentSource())) {
          byte[] b = in.readAllBytes();
          if (b.length == 0) {
            throw new HttpError(400, "part " + (images.size() + 1) + " is empty: send one image per part");
          }
          images.add(b);
        } catch (IOException e) {
          throw new HttpError(400, "malformed multipart/form-data body");
        }
        String n = part.getFileName() != null && !part.getFileName().isBlank() ? part.getFileName()
            : part.getName() != null && !part.getName().isBlank() ? part.getName() : "part-" + images.size();
        names.add(clip(n));
      }
    }
  }

  ObjectNode metadata(LoadedModel m) {
    FittedModel f = m.model();
    ObjectNode o = Reply.JSON.createObjectNode();
    o.put("name", m.name());
    ArrayNode v = o.putArray("versions");
    v.add(m.sha256().substring(0, 12));
    o.put("platform", "maha");
    ObjectNode in = o.putArray("inputs").addObject();
    in.put("name", "images");
    in.put("datatype", "BYTES");
    in.putArray("shape").add(-1);
    ArrayNode outs = o.putArray("outputs");
    tensor(outs, "score", "FP64", -1);
    ((ArrayNode) tensor(outs, "level_distances", "FP64", -1).get("shape")).add(f.levels().size());
    if (f.threshold().isPresent()) {
      tensor(outs, "verdict", "BYTES", -1);
    }
    if (f.hasCalibrationScores()) {
      tensor(outs, "p_value", "FP64", -1);
    }
    o.put("modelSha256", m.sha256());
    o.put("backbone", f.backboneName());
    o.put("backboneSha256", f.backboneSha256());
    f.int8().ifPresent(d -> o.put("int8", d));
    ArrayNode lv = o.putArray("levels");
    f.levels().forEach(lv::add);
    o.put("variant", f.variant());
    o.put("trainingImages", f.trainingImages());
    o.put("trainedOn", f.trainedOn());
    o.put("createdAt", f.createdAt());
    o.put("mahaVersion", f.mahaVersion());
    o.put("loadedAt", m.loadedAt().toString());
    o.put("anomalyMaps", f.hasMaps());
    describeCalibration(o, f);
    return o;
  }

  /**
   * The threshold and what it guarantees, whether p-values come with each image and what they mean, or a plain
   * statement that the model is not calibrated (no threshold is invented for it).
   */
  static void describeCalibration(ObjectNode o, FittedModel f) {
    o.put("calibrated", f.threshold().isPresent());
    o.put("pValues", f.hasCalibrationScores());
    if (f.threshold().isEmpty()) {
      o.putNull("threshold");
      o.put("note", "the model is not calibrated (fitted without --calibrate): there is no threshold, so no "
          + "verdict and no p-value; a higher score is more anomalous, but no false-alarm rate can be stated");
      return;
    }
    Threshold t = f.threshold().get();
    ObjectNode th = o.putObject("threshold");
    th.put("value", t.value());
    th.put("targetFpr", t.targetFpr());
    th.put("calibrationImages", t.calibrationImages());
    th.put("guaranteed", t.guaranteed());
    th.put("source", t.source());
    th.put("meaning", String.format(Locale.ROOT, "scores above %s are anomalous; %s at most %.4g of good images "
        + "are flagged (split-conformal bound from %d held-out good images)", t.value(),
        t.guaranteed() ? "on average" : "NOT guaranteed (too few calibration images for this rate):",
        t.targetFpr(), t.calibrationImages()));
    if (f.hasCalibrationScores()) {
      th.put("pValueMeaning", String.format(Locale.ROOT, "pValue = (1 + number of the %d calibration scores >= "
          + "the image's score) / %d; flagging images with pValue <= a flags at most a of good images on average, "
          + "for any a (the smallest possible pValue is 1/%d)", t.calibrationImages(), t.calibrationImages() + 1,
          t.calibrationImages() + 1));
    } else {
      o.put("note", "the model keeps only its threshold (saved by a maha that did not keep calibration scores): "
          + "verdicts but no p-values; fit it again with --calibrate to get them");
    }
  }

  private static ObjectNode tensor(ArrayNode outs, String name, String type, int n) {
    ObjectNode o = outs.addObject();
    o.put("name", name);
    o.put("datatype", type);
    o.putArray("shape").add(n);
    return o;
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }

  private static String clip(String s) {
    String t = String.valueOf(s).replaceAll("\\p{Cntrl}", "?");
    return t.length() > MAX_NAME_CHARS ? t.substring(0, MAX_NAME_CHARS) + "..." : t;
  }

  private static String version() {
    String v = Endpoints.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }

  /**
   * The operator's page. Served without a key (it holds no data; it asks for the key when the API answers 401) and
   * with a policy that lets it load nothing from elsewhere: no CDN, no external script, style or image.
   */
  private static Reply page() {
    return new Reply(200, "text/html; charset=utf-8", resource("index.html").getBytes(StandardCharsets.UTF_8),
        java.util.Map.of("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'", "Cache-Control", "no-cache", "Referrer-Policy", "no-referrer"));
  }

  static String openApi() {
    return resource("openapi.json");
  }

  private static String resource(String name) {
    try (InputStream in = Endpoints.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

}
