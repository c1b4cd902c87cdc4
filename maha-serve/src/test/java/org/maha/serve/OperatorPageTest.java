package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's page in a real browser: headless Chromium (Debian's {@code chromium}) over the DevTools protocol
 * opens {@code /} of a server with API keys on loopback, is asked for the key, lists the models with what their
 * thresholds guarantee, uploads an image through the page's file input and shows the score, verdict, p-value and
 * per-level distances the API gives for the same bytes, and for a model with anomaly maps the overlay the API gives
 * ({@code ?maps=true}) with its legend. The screenshot is kept as
 * {@code maha-serve/target/operator-page.png}. Skipped (counted) where no chromium is installed, unless
 * {@code MAHA_REQUIRE_BROWSER} is set (CI sets it after installing chromium).
 */
class OperatorPageTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "operator-key-0123456789";

  @Test
  void theOperatorEntersTheKeyUploadsAnImageAndSeesTheApisNumbers() throws Exception {
    Optional<Path> browser = Chromium.find();
    if (System.getenv("MAHA_REQUIRE_BROWSER") != null) { // CI installs it: there the check must not drop out
      assertThat(browser).as("chromium on the PATH (MAHA_REQUIRE_BROWSER is set)").isPresent();
    }
    Assumptions.assumeTrue(browser.isPresent(), "chromium is not installed (apt-get install chromium)");
    Fixture f = new Fixture(dir);
    Path keys = Files.writeString(dir.resolve("keys.txt"), KEY + "\n");
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("cal", f.calibrated, "plain", f.plain, "maps",
        f.mapsModel()),
        Limits.DEFAULT, Optional.of(ApiKeys.read(keys)), new ArrayList<>()))) {
      Fixture.Client c = new Fixture.Client(s);
      HttpResponse<String> page = c.get("/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
      assertThat(page.body()).doesNotContainPattern("(src|href)\\s*=\\s*[\"']?(https?:)?//");

      try (Chromium chrome = Chromium.start(browser.get(), Files.createDirectories(dir.resolve("chromium")))) {
        chrome.navigate(c.base + "/");
        chrome.await("document.querySelector('#keybox') && getComputedStyle(document.querySelector('#keybox'))"
            + ".display !== 'none' && document.querySelector('#status').textContent.includes('API key')",
            Duration.ofSeconds(30));
        chrome.eval("document.querySelector('#key').focus()");
        chrome.type(KEY);
        chrome.eval("document.querySelector('#keybutton').click()");
        chrome.await("document.querySelectorAll('.model').length === 3", Duration.ofSeconds(30));
        String cal = chrome.eval("document.querySelector('.model[data-name=cal] .statement').textContent").asText();
        assertThat(cal).contains("6 held-out good images", "at most 0.2", "6 calibration scores");
        String plain = chrome.eval("document.querySelector('.model[data-name=plain] .statement').textContent")
            .asText();
        assertThat(plain).contains("not calibrated");

        Path image = Files.write(dir.resolve("part.png"), f.pngs.get(0));
        chrome.eval("document.querySelector('.model[data-name=cal]').click()");
        chrome.setFiles("#file", image);
        chrome.await("document.querySelector('#results .result[data-score]')", Duration.ofSeconds(60));
        JsonNode shown = chrome.eval("(() => { const r = document.querySelector('#results .result');"
            + " return { score: r.dataset.score, verdict: r.dataset.verdict, pValue: r.dataset.pvalue,"
            + " levels: Array.from(r.querySelectorAll('.level')).map(b => [b.dataset.level, b.dataset.distance]),"
            + " text: r.innerText }; })()");
        JsonNode api = JSON.readTree(c.http.send(c.req("/v1/models/cal/score").header("X-API-Key", KEY)
            .header("Content-Type", "image/png").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                f.pngs.get(0))).build(), HttpResponse.BodyHandlers.ofString()).body()).get("images").get(0);
        assertThat(Double.parseDouble(shown.get("score").asText())).isEqualTo(api.get("score").asDouble());
        assertThat(shown.get("verdict").asText()).isEqualTo(api.get("verdict").asText());
        assertThat(Double.parseDouble(shown.get("pValue").asText())).isEqualTo(api.get("pValue").asDouble());
        List<String> levels = List.of("s1", "s2", "pooled");
        assertThat(shown.get("levels")).hasSize(3);
        for (int l = 0; l < 3; l++) {
          assertThat(shown.get("levels").get(l).get(0).asText()).isEqualTo(levels.get(l));
          assertThat(Double.parseDouble(shown.get("levels").get(l).get(1).asText()))
              .isEqualTo(api.get("levelDistances").get(levels.get(l)).asDouble());
        }
        assertThat(shown.get("text").asText()).contains("p-value", api.get("verdict").asText());

        // the uncalibrated model: no verdict, no p-value, and the history keeps both results with counts
        chrome.eval("document.querySelector('.model[data-name=plain]').click()");
        chrome.setFiles("#file", image);
        chrome.await("document.querySelectorAll('#results .result').length === 2", Duration.ofSeconds(60));
        JsonNode second = chrome.eval("(() => { const r = document.querySelector('#results .result');"
            + " return { verdict: r.dataset.verdict, pValue: r.dataset.pvalue, none: document.querySelector('#nNone')"
            + ".textContent, decided: Number(document.querySelector('#nNormal').textContent)"
            + " + Number(document.querySelector('#nAnomalous').textContent) }; })()");
        assertThat(second.get("verdict").asText()).isEqualTo("none");
        assertThat(second.get("pValue").asText()).isEqualTo("none");
        assertThat(second.get("none").asText()).isEqualTo("1");
        assertThat(second.get("decided").asInt()).isEqualTo(1);

        // a model with anomaly maps: the result shows the overlay the API gives, loaded (the page's
        // Content-Security-Policy lets its data: image in), beside the numbers, with the legend of the fixed scale
        assertThat(chrome.eval("document.querySelector('.model[data-name=maps]').textContent").asText())
            .contains("anomaly maps");
        assertThat(chrome.eval("document.querySelector('.model[data-name=cal]').textContent").asText())
            .doesNotContain("anomaly maps");
        chrome.eval("document.querySelector('.model[data-name=maps]').click()");
        chrome.setFiles("#file", image);
        chrome.await("(() => { const o = document.querySelector('#results .result[data-map] .overlay img');"
            + " return o && o.complete && o.naturalWidth > 0; })()", Duration.ofSeconds(60));
        JsonNode mapped = chrome.eval("(() => { const r = document.querySelector('#results .result');"
            + " const o = r.querySelector('.overlay img');"
            + " return { src: o.src, width: o.naturalWidth, height: o.naturalHeight, shown: o.getBoundingClientRect()"
            + ".width, thumb: r.querySelector('img').getBoundingClientRect().width, score: r.dataset.score,"
            + " bars: r.querySelectorAll('.level').length, legend: r.querySelector('.legend').innerText }; })()");
        JsonNode apiMap = JSON.readTree(c.http.send(c.req("/v1/models/maps/score?maps=true").header("X-API-Key", KEY)
            .header("Content-Type", "image/png").POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                f.pngs.get(0))).build(), HttpResponse.BodyHandlers.ofString()).body()).get("images").get(0);
        assertThat(mapped.get("src").asText()).isEqualTo("data:image/png;base64,"
            + apiMap.get("map").get("overlayPng").asText());
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
            java.util.Base64.getDecoder().decode(apiMap.get("map").get("overlayPng").asText())));
        assertThat(mapped.get("width").asInt()).isEqualTo(png.getWidth());
        assertThat(mapped.get("height").asInt()).isEqualTo(png.getHeight());
        assertThat(mapped.get("shown").asDouble()).as("shown larger than the thumbnail")
            .isGreaterThan(mapped.get("thumb").asDouble());
        assertThat(Double.parseDouble(mapped.get("score").asText())).isEqualTo(apiMap.get("score").asDouble());
        assertThat(mapped.get("bars").asInt()).isEqualTo(3);
        assertThat(mapped.get("legend").asText()).contains("Fixed scale learnt from good images",
            "median pixel of good images", "contour");

        Path shot = Path.of("target", "operator-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, chrome.screenshot());
        assertThat(Files.size(shot)).isPositive();
      }
    }
  }
}
