package org.maha.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maha.catalog.Catalog;
import org.maha.catalog.CatalogEntry;
import org.maha.catalog.DownloadListener;
import org.maha.catalog.ExpectedHash;
import org.maha.catalog.Verification;
import org.maha.catalog.WeightCache;
import org.maha.files.AtomicFiles;
import org.maha.zoo.BackboneZoo;
import org.maha.zoo.BuiltGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha backbones list|fetch|verify|export}: the catalog of the paper's backbones, the local weight cache, and
 * the ONNX graphs built from the weights.
 */
@Command(name = "backbones", mixinStandardHelpOptions = true,
    description = {"List, fetch, verify and export the named backbones.",
        "EfficientNet-B0..B7, ResNets, MobileNetV2; their verified weight cache is under $MAHA_HOME or",
        "~/.cache/maha."},
    subcommands = {BackbonesCommand.ListCommand.class, BackbonesCommand.FetchCommand.class,
        BackbonesCommand.VerifyCommand.class, BackbonesCommand.ExportCommand.class})
final class BackbonesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder. Default: $MAHA_HOME or ~/.cache/maha.")
  Path cache;

  @Option(names = "--mirror", paramLabel = "URL",
      description = "Fetch every file from URL/<file name> instead of the official locations.")
  URI mirror;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, fetch, verify or export");
  }

  Catalog catalog() {
    return mirror == null ? Catalog.official() : Catalog.official().withBaseUrl(mirror);
  }

  /** --cache must be a folder or not exist yet (checked before fetch or export writes into it). */
  void checkCache() throws MahaCommand.UsageException {
    if (cache != null) {
      OutputPaths.folder("--cache", cache, List.of(), java.util.Set.of());
    }
  }

  WeightCache weightCache() {
    return new WeightCache(cache != null ? cache : WeightCache.defaultRoot());
  }

  List<CatalogEntry> select(List<String> names) throws MahaCommand.UsageException {
    Catalog c = catalog();
    if (names == null || names.isEmpty()) {
      return c.entries();
    }
    List<CatalogEntry> out = new java.util.ArrayList<>();
    for (String n : names) {
      out.add(c.find(n).orElseThrow(() -> new MahaCommand.UsageException(
          "unknown backbone '" + n + "' (known: " + String.join(", ", c.names()) + ")")));
    }
    return out;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the catalog and what is cached.")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand BackbonesCommand parent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter o = spec.commandLine().getOut();
      WeightCache cache = parent.weightCache();
      int w = "name".length();
      for (CatalogEntry e : parent.catalog().entries()) {
        w = Math.max(w, e.name().length());
      }
      String nameCol = "%-" + w + "s";
      o.printf(Locale.ROOT, nameCol + " %-12s %5s %-10s %6s  %-8s %-6s %s%n", "name", "family", "size", "norm",
          "ΣD", "cached", "sha256", "file");
      for (CatalogEntry e : parent.catalog().entries()) {
        Verification v = cache.verify(e);
        o.printf(Locale.ROOT, nameCol + " %-12s %5d %-10s %6d  %-8s %-6s %s%n", e.name(), e.family().id(),
            e.inputSizePx(), e.normalization().id(), e.totalDim(), v.status().name().toLowerCase(Locale.ROOT),
            e.hash().strength(), e.fileName());
      }
      o.println("sha256: full = the whole published digest is checked; prefix = only the 8 hex digits in the "
          + "file name (torch.hub style); pin a digest obtained elsewhere with --expect-sha256 HEX");
      o.println("cache: " + cache.root());
      o.flush();
      return 0;
    }
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = "Download (resuming a partial file), verify and cache the weights of the named backbones.")
  static final class FetchCommand implements Callable<Integer>, Validated {
    @ParentCommand BackbonesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Backbone names, see `maha backbones list`.")
    List<String> names;

    @Option(names = "--expect-sha256", paramLabel = "HEX",
        description = "With one NAME: accept only the file whose SHA-256 is HEX (64 hex digits), a digest obtained "
            + "elsewhere.")
    String expectSha256;

    @Override
    public void validate() throws Exception {
      parent.checkCache();
    }

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      WeightCache cache = parent.weightCache();
      java.util.Optional<ExpectedHash> pin = BackboneOptions.pinned(expectSha256);
      if (pin.isPresent() && names.size() != 1) {
        throw new MahaCommand.UsageException("--expect-sha256 pins the digest of one file: give one NAME, got "
            + names.size());
      }
      for (CatalogEntry listed : parent.select(names)) {
        CatalogEntry e = pin.map(listed::withHash).orElse(listed);
        Path p = cache.fetch(e, new Bar(err, e.name()));
        spec.commandLine().getOut().println(e.name() + " " + p);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Re-hash cached weight files; exit 1 if any does not match its published hash.")
  static final class VerifyCommand implements Callable<Integer> {
    @ParentCommand BackbonesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Backbone names (default: all).")
    List<String> names;

    @Override
    public Integer call() throws Exception {
      PrintWriter o = spec.commandLine().getOut();
      WeightCache cache = parent.weightCache();
      int bad = 0;
      for (CatalogEntry e : parent.select(names)) {
        Verification v = cache.verify(e);
        bad += v.status() == Verification.Status.MISMATCH ? 1 : 0;
        o.printf(Locale.ROOT, "%-16s %-9s %s%n", e.name(), v.status(), v.path());
      }
      o.flush();
      return bad == 0 ? 0 : 1;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = {"Build a named backbone's ONNX graph in Java from its weights (downloaded and verified on first "
          + "use) and write it to a file.",
          "Outputs: input [N, 3, S, S]; L0, L1, ... the pooled level features [N, C]; with --maps also L0_map, ... "
          + "[N, C, H, W]. Its metadata_props record the catalog name, the weights' SHA-256 and whether they were "
          + "verified and pretrained."})
  static final class ExportCommand implements Callable<Integer>, Validated {
    @ParentCommand BackbonesCommand parent;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Backbone name, see `maha backbones list`.")
    String name;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "ONNX file to write.")
    Path out;

    @Option(names = "--weights", paramLabel = "FILE",
        description = "Use this weight file instead of downloading (verified when it has the official hash, else "
            + "used with a warning).")
    Path weights;

    @Option(names = "--random-init", paramLabel = "SEED",
        description = "Random weights from SEED (resnet and efficientnet families). FOR TESTS AND DEMOS ONLY: NOT "
            + "pretrained.")
    Long randomInit;

    @Option(names = "--expect-sha256", paramLabel = "HEX",
        description = "Accept only a weight file (downloaded or --weights) whose SHA-256 is HEX (64 hex digits).")
    String expectSha256;

    @Option(names = "--maps", description = "Also output the un-pooled level maps L0_map, L1_map, ...")
    boolean maps;

    @Option(names = "--input-size", paramLabel = "PX",
        description = "Build the graph for PX x PX inputs instead of the backbone's native size (EfficientNet "
            + "0.6.3's static padding is computed for it).")
    Integer inputSize;

    @Option(names = "--classifier",
        description = "Also output the classifier (mobilenet_v2: logits and probabilities, 1001 classes with "
            + "background first; ResNet and EfficientNet graphs have logits whenever the weights hold the "
            + "classifier).")
    boolean classifier;

    /** The zoo overrides these options ask for. */
    Map<String, String> overrides() throws MahaCommand.UsageException {
      Map<String, String> o = new java.util.TreeMap<>();
      if (maps) {
        o.put(BackboneZoo.OVERRIDE_MAPS, "true");
      }
      if (classifier) {
        o.put(BackboneZoo.OVERRIDE_CLASSIFIER, "true");
      }
      if (inputSize != null) {
        o.put(BackboneZoo.OVERRIDE_INPUT_SIZE, Integer.toString(inputSize));
      }
      return o;
    }

    @Override
    public void validate() throws Exception {
      parent.checkCache();
      List<Path> inputs = new java.util.ArrayList<>();
      inputs.add(weights);
      OutputPaths.file("-o", out, inputs);
    }

    @Override
    public Integer call() throws Exception {
      java.util.Optional<ExpectedHash> pin = BackboneOptions.pinned(expectSha256);
      CatalogEntry listed = parent.select(List.of(name)).get(0);
      CatalogEntry entry = pin.map(listed::withHash).orElse(listed);
      BuiltGraph g = BackboneOptions.build(new BackboneZoo(parent.weightCache()), entry, weights, randomInit,
          overrides(), spec.commandLine().getErr());
      int size = inputSize != null ? inputSize : entry.inputSizePx();
      AtomicFiles.write(out, Files.readAllBytes(g.onnx()));
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "wrote %s: %s, input [N, 3, %d, %d] (normalization %s), levels %s%s%n", out,
          g.displayName(), size, size, entry.normalization().id(),
          String.join(",", entry.levelNames()), maps ? " and their full maps" : "");
      o.printf(Locale.ROOT, "sha256 %s; weights %s%s%n", g.provenance().graphSha256(),
          g.provenance().weightsSha256().map(s -> "sha256 " + s).orElseGet(() -> "random (seed "
              + g.provenance().randomSeed().getAsLong() + ")"),
          g.provenance().pretrained() ? (g.provenance().verified() ? ", verified" : ", NOT verified")
              : ", NOT pretrained");
      o.flush();
      return 0;
    }
  }

  /** A progress bar on stderr: live on a terminal, a line every 10 % otherwise. */
  static final class Bar implements DownloadListener {
    private final PrintWriter err;
    private final String name;
    private final boolean terminal = System.console() != null;
    private long lastTenth = -1;

    Bar(PrintWriter err, String name) {
      this.err = err;
      this.name = name;
    }

    @Override
    public void started(CatalogEntry entry, URI url, long resumeFrom) {
      err.println("downloading " + name + " from " + url + (resumeFrom > 0 ? " (resuming at " + resumeFrom + " bytes)" : ""));
      err.flush();
    }

    @Override
    public void progress(long done, long total) {
      double mb = done / 1e6;
      if (total <= 0) {
        if (terminal) {
          err.printf(Locale.ROOT, "\r\033[K%s: %.1f MB", name, mb);
          err.flush();
        }
        return;
      }
      double f = (double) done / total;
      if (terminal) {
        int w = 30;
        int filled = (int) Math.round(f * w);
        err.printf(Locale.ROOT, "\r\033[K%s [%s%s] %.1f/%.1f MB%s", name, "#".repeat(filled), ".".repeat(w - filled),
            mb, total / 1e6, done >= total ? "\n" : "");
      } else if ((long) (f * 10) != lastTenth) {
        lastTenth = (long) (f * 10);
        err.printf(Locale.ROOT, "%s: %.0f %% of %.1f MB%n", name, 100 * f, total / 1e6);
      }
      err.flush();
    }
  }
}
