package org.maha.serve;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.maha.api.Detector;
import org.maha.api.FitOptions;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.image.TestFrames;

/**
 * Models fitted with the tiny test CNN (maha-core's test resource) and a client for a server started on a free
 * loopback port: the tests send real HTTP requests with {@link HttpClient}.
 */
final class Fixture {
  final Path dir;
  final Path onnx;
  final Path plain;      // uncalibrated, levels s1,s2,pooled
  final Path calibrated; // calibrated at 0.2
  final Path other;      // levels s1,pooled: same backbone file, other levels
  final Path retrained;  // other training images, calibrated: scores differ from plain's
  final List<byte[]> pngs = new ArrayList<>();

  Fixture(Path dir) throws Exception {
    this.dir = dir;
    this.onnx = copy("tiny_cnn.onnx");
    Path good = Files.createDirectories(dir.resolve("good"));
    Path cal = Files.createDirectories(dir.resolve("cal"));
    for (int i = 0; i < 8; i++) {
      Files.write(good.resolve("g" + i + ".png"), TestFrames.png(frame(100 + i)));
    }
    for (int i = 0; i < 6; i++) {
      Files.write(cal.resolve("c" + i + ".png"), TestFrames.png(frame(200 + i)));
    }
    for (int i = 0; i < 5; i++) {
      pngs.add(TestFrames.png(frame(300 + i)));
    }
    try (Detector d = Detector.builder().onnx(onnx).levels("s1", "s2", "pooled").build()) {
      FittedModel m = d.fit(Images.folder(good));
      plain = dir.resolve("plain.maha");
      m.save(plain);
      calibrated = dir.resolve("calibrated.maha");
      d.fit(Images.folder(good), FitOptions.defaults().withCalibration(Images.folder(cal), 0.2)).save(calibrated);
      retrained = dir.resolve("retrained.maha");
      d.fit(Images.folder(cal), FitOptions.defaults().withCalibration(Images.folder(good), 0.2)).save(retrained);
    }
    try (Detector d = Detector.builder().onnx(onnx).levels("s1", "pooled").build()) {
      other = dir.resolve("other.maha");
      d.fit(Images.folder(good)).save(other);
    }
  }

  private Path maps;

  /**
   * A model fitted with anomaly maps as {@code maha fit --maps --calibrate cal/} fits it (the image model of
   * {@link #plain}, uncalibrated, plus the map model on the default map level {@code s2}, its display scale learnt
   * from the 6 calibration images), made on first use: through maha-core's pipeline, as the CLI does, because the
   * public API scores with maps but does not fit them.
   */
  synchronized Path mapsModel() throws Exception {
    if (maps != null) {
      return maps;
    }
    List<Path> good = sorted(dir.resolve("good"));
    List<Path> cal = sorted(dir.resolve("cal"));
    try (org.maha.backbone.OnnxBackbone b = org.maha.backbone.OnnxBackbone.open(onnx,
        org.maha.backbone.BackboneOptions.defaults().withLevels(List.of("s1", "s2", "pooled")).withThreads(1))) {
      org.maha.pipeline.FeatureExtractor ex = new org.maha.pipeline.FeatureExtractor(b,
          org.maha.image.DecodeLimits.DEFAULT, 1);
      org.maha.pipeline.MapJobs.MapFitOutcome r = org.maha.pipeline.MapJobs.fit(ex, ex.files(good),
          org.maha.model.Variant.parse("mvg"), dir.resolve("good").toString(), onnx.toAbsolutePath().toString(),
          org.maha.pipeline.MapSettings.defaults(), false, org.maha.pipeline.ProgressListener.NONE);
      org.maha.pipeline.MapScale.Builder scale = new org.maha.pipeline.MapScale.Builder();
      org.maha.pipeline.MapJobs.score(ex, r.image().model(), r.maps(), ex.files(cal), false,
          org.maha.pipeline.ProgressListener.NONE, (i, im) -> scale.add(im.map()));
      Path out = dir.resolve("maps.maha");
      org.maha.pipeline.MapModelFile.write(r.image().model(), r.maps(),
          scale.build(0.2, org.maha.pipeline.MapScale.CALIBRATION), out);
      maps = out;
    }
    return maps;
  }

  private static List<Path> sorted(Path folder) throws Exception {
    try (var s = Files.list(folder)) {
      return s.sorted().toList();
    }
  }

  static BufferedImage frame(long seed) {
    return TestFrames.ofType(TestFrames.argb(seed, 40, 30, true), 40, 30, BufferedImage.TYPE_INT_RGB);
  }

  private Path copy(String name) throws Exception {
    Path target = dir.resolve(name);
    try (InputStream in = Fixture.class.getResourceAsStream("/org/maha/backbone/" + name)) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  ServeConfig config(Map<String, Path> models, Limits limits, Optional<ApiKeys> keys, List<String> log) {
    return config(models, limits, keys, log, 1, 0);
  }

  ServeConfig config(Map<String, Path> models, Limits limits, Optional<ApiKeys> keys, List<String> log, int maxBatch,
      long maxDelayMillis) {
    return new ServeConfig("127.0.0.1", 0, models, List.of(onnx), keys, limits, 1, 1,
        line -> { synchronized (log) { log.add(line); } }, line -> { synchronized (log) { log.add(line); } },
        Optional.of(line -> { synchronized (log) { log.add("audit " + line); } }), maxBatch, maxDelayMillis);
  }

  ServeConfig config(Map<String, Path> models) {
    return config(models, Limits.DEFAULT, Optional.empty(), new ArrayList<>());
  }

  static Map<String, Path> models(Object... nameFile) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (int i = 0; i < nameFile.length; i += 2) {
      m.put((String) nameFile[i], (Path) nameFile[i + 1]);
    }
    return m;
  }

  /** A client of one started server. */
  static final class Client {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final String base;

    Client(MahaServer s) {
      this.base = "http://127.0.0.1:" + s.port();
    }

    HttpRequest.Builder req(String path) {
      return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    }

    HttpResponse<String> get(String path) throws Exception {
      return http.send(req(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
      HttpRequest.Builder b = req(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String path, byte[] body) throws Exception {
      return http.send(req(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
          .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** A multipart/form-data body with one file part per image. */
  static byte[] multipart(String boundary, List<String> names, List<byte[]> files) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < files.size(); i++) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
          + names.get(i) + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.writeBytes(files.get(i));
      out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
