package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every numeric option of every command has a range ({@link OptionBounds}) and a value outside it is refused
 * before any work (the inputs here do not even exist): exit 2, one line naming the option, no exception name.
 */
class OptionBoundsTest {
  @TempDir Path dir;

  /** The least each command needs to parse; nothing here exists, so any work would fail differently. */
  private Map<String, List<String>> baseArgs() {
    String x = dir.resolve("absent").toString();
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("maha fit", List.of("fit", "-o", x + ".maha", x));
    m.put("maha score", List.of("score", "-m", x + ".maha", x));
    m.put("maha update", List.of("update", "-m", x + ".maha", "-o", x + "-new.maha", x));
    m.put("maha embed", List.of("embed", "-o", x, x));
    m.put("maha classify", List.of("classify", x));
    m.put("maha evaluate", List.of("evaluate", x));
    m.put("maha experiment", List.of("experiment", "-o", x, x));
    m.put("maha demo", List.of("demo", "-o", x));
    m.put("maha bench", List.of("bench"));
    m.put("maha fashion-mnist", List.of("fashion-mnist", "--dir", x));
    m.put("maha serve", List.of("serve", "--model", "m=" + x + ".maha"));
    m.put("maha backbones export", List.of("backbones", "export", "resnet18", "-o", x + ".onnx"));
    return m;
  }

  @Test
  void everyNumericOptionOfEveryCommandHasARange() {
    List<String> missing = new ArrayList<>();
    for (CommandLine c : commands(MahaCommand.commandLine())) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (OptionBounds.isNumeric(o) && !OptionBounds.RANGES.containsKey(o.longestName())
            && !OptionBounds.UNBOUNDED.contains(o.longestName())) {
          missing.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
        }
      }
    }
    assertThat(missing).as("numeric options without a range in OptionBounds").isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedBeforeAnyWorkWithOneLineNamingTheOption() {
    Map<String, List<String>> base = baseArgs();
    int tried = 0;
    for (CommandLine c : commands(MahaCommand.commandLine())) {
      String name = c.getCommandSpec().qualifiedName();
      for (OptionSpec o : c.getCommandSpec().options()) {
        OptionBounds.Range r = OptionBounds.RANGES.get(o.longestName());
        if (r == null) {
          continue;
        }
        assertThat(base).as("base arguments for " + name).containsKey(name);
        for (String bad : badValues(o, r)) {
          List<String> args = new ArrayList<>(base.get(name));
          args.add(o.longestName());
          args.add(bad);
          var res = CliHarness.run(args.toArray(new String[0]));
          String err = res.err().strip();
          assertThat(res.exitCode()).as(args + "\n" + res.all()).isEqualTo(2);
          assertThat(err.lines().count()).as(args + "\n" + res.all()).isEqualTo(1);
          assertThat(err).as(args.toString()).contains(o.longestName(), bad, "must be " + r.describe())
              .doesNotContain("Exception", "\tat ");
          tried++;
        }
      }
    }
    assertThat(tried).isGreaterThan(60);
  }

  @Test
  void theRangeIsNamedInTheMessage() {
    var r = CliHarness.run("score", "-m", dir.resolve("absent.maha").toString(), "--sigma", "-1", "x.png");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("maha score: --sigma must be > 0 and <= 8, got -1");
    var t = CliHarness.run("fit", "--threads", "100000", "-o", dir.resolve("m.maha").toString(), "x.png");
    assertThat(t.err().strip()).isEqualTo("maha fit: --threads must be between 0 and " + OptionBounds.MAX_THREADS
        + " (0 = all cores), got 100000");
  }

  @Test
  void scoreRefusesTheBackboneOptionsFitRefusesBeforeReadingTheModel() {
    String m = dir.resolve("absent.maha").toString();
    Map<List<String>, String> cases = new LinkedHashMap<>();
    cases.put(List.of("--levels", "a,b"), "--levels");
    cases.put(List.of("--normalization", "imagenet"), "--normalization");
    cases.put(List.of("--input-size", "96"), "--backbone");
    cases.put(List.of("--weights", "w.pth"), "--backbone");
    cases.put(List.of("--random-init", "3"), "--backbone");
    cases.put(List.of("--onnx", "x.onnx", "--backbone", "resnet18"), "mutually exclusive");
    for (var e : cases.entrySet()) {
      List<String> args = new ArrayList<>(List.of("score", "-m", m));
      args.addAll(e.getKey());
      args.add("x.png");
      var r = CliHarness.run(args.toArray(new String[0]));
      assertThat(r.exitCode()).as(args + "\n" + r.all()).isEqualTo(2);
      assertThat(r.err().strip()).as(args.toString()).contains(e.getValue()).doesNotContain("\n", "absent.maha");
    }
  }

  /** Below the minimum, above the maximum, NaN for decimals, and a number beyond the type. */
  private static List<String> badValues(OptionSpec o, OptionBounds.Range r) {
    Class<?> t = o.type();
    if (java.util.Collection.class.isAssignableFrom(t)) {
      t = o.auxiliaryTypes()[0];
    }
    boolean decimal = t == double.class || t == Double.class || t == float.class || t == Float.class;
    List<String> v = new ArrayList<>();
    if (decimal) {
      v.add(r.minOpen() ? fmt(r.min()) : fmt(r.min() - 1));
      v.add(r.maxOpen() ? fmt(r.max()) : fmt(r.max() + 1));
      v.add("NaN");
      v.add("1e400");
    } else {
      v.add(Long.toString((long) r.min() - 1));
      v.add(Long.toString((long) r.max() + 1));
      v.add("99999999999999999999");
    }
    return v;
  }

  private static String fmt(double d) {
    return Double.toString(d);
  }

  private static List<CommandLine> commands(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    for (CommandLine c : root.getSubcommands().values()) {
      if (!all.contains(c)) {
        all.add(c);
        all.addAll(commands(c));
      }
    }
    return all.stream().distinct().toList();
  }
}
