package org.maha.cli;

import java.io.PrintWriter;
import org.maha.backbone.BackboneException;
import org.maha.data.DataException;
import org.maha.model.FitException;
import org.maha.model.MahaVersion;
import org.maha.model.ModelFileException;
import org.maha.pipeline.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code maha}: anomaly detection with Gaussian models of pretrained CNN features (Rippel et al., 2020).
 * Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input.
 */
@Command(
    name = "maha",
    mixinStandardHelpOptions = true,
    versionProvider = MahaCommand.Version.class,
    description = "Visual anomaly detection: a Gaussian per level of pretrained CNN features (Rippel et al., 2020).",
    subcommands = {
      FitCommand.class,
      ScoreCommand.class,
      UpdateCommand.class,
      MergeCommand.class,
      EmbedCommand.class,
      ClassifyCommand.class,
      EvaluateCommand.class,
      ExperimentCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      BackbonesCommand.class,
      ServeCommand.class,
      FashionMnistCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:runtime failure", "2:bad usage or bad input"})
public final class MahaCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /**
   * Runs the command line and exits with its status (0 ok, 1 failure, 2 bad input).
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    int code;
    try {
      code = commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      System.err.println(outOfMemoryMessage("maha"));
      code = 1;
    }
    System.exit(code);
  }

  /**
   * What to do when the heap is too small (typically many augmented passes held for every category): one line
   * naming the heap size and the way to raise it, instead of a stack trace.
   */
  static String outOfMemoryMessage(String command) {
    return command + ": out of memory (Java heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB); give Java "
        + "more, e.g. MAHA_JAVA_OPTS=-Xmx16g ./maha ..., or use fewer --augment passes, fewer categories at once or "
        + "a smaller --batch";
  }

  /**
   * The configured command line; tests call {@code execute} on it with their own writers.
   *
   * @return a new command line
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MahaCommand());
    cl.setExecutionExceptionHandler(MahaCommand::handle);
    cl.setParameterExceptionHandler(MahaCommand::handleParameter);
    cl.setExecutionStrategy(MahaCommand::validateThenRun);
    return cl;
  }

  /**
   * Options are checked before any work, the same way in every command: numeric ranges ({@link OptionBounds}),
   * then the command's own {@link Validated#validate()} (combinations, output paths). Help and version requests
   * skip the checks.
   */
  private static int validateThenRun(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult leaf = parsed;
    boolean help = parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested();
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
      help |= leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested();
    }
    if (!help && !(leaf.commandSpec().userObject() instanceof CommandLine.HelpCommand)) {
      try {
        OptionBounds.check(leaf.commandSpec());
        if (leaf.commandSpec().userObject() instanceof Validated v) {
          v.validate();
        }
      } catch (Exception e) {
        throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  /** A command line picocli cannot parse: one line naming the problem and where help is, instead of the usage. */
  private static int handleParameter(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("bad usage");
    OptionBounds.Range range = e.getArgSpec() instanceof CommandLine.Model.OptionSpec o
        ? OptionBounds.RANGES.get(o.longestName()) : null;
    if (range != null) { // e.g. a number too large for its type: say what is allowed
      msg += "; it must be " + range.describe();
    }
    cl.getErr().println(name + ": " + msg + " (see " + name + " --help)");
    cl.getErr().flush();
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"maha " + MahaVersion.get() + " (Java " + System.getProperty("java.version") + ")"};
    }
  }

  /** Bad input: one line and exit 2. Anything else is a bug or an environment failure: exit 1. */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    if (e instanceof org.maha.api.MahaException && e.getCause() instanceof Exception cause) {
      e = cause; // the public API's wrapper (fit and score are its clients): judge and report what it wraps
    }
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) { // e.g. wrapped by a decoding thread's CompletionException
        err.println(outOfMemoryMessage(name));
        err.flush();
        return 1;
      }
    }
    if (e instanceof org.maha.image.ImageMemoryException) { // a valid image, a small heap: not "unreadable"
      err.println(name + ": " + e.getMessage() + "; give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g ./maha ...) "
          + "or lower --max-pixels");
      err.flush();
      return 2;
    }
    if (isUserError(e)) {
      // one line even when a message quotes a library's multi-line text (ONNX Runtime's, a parser's)
      err.println(name + ": " + String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", " "));
      err.flush();
      return 2;
    }
    err.println(name + ": error: " + e);
    if (System.getenv("MAHA_DEBUG") != null) {
      e.printStackTrace(err);
    } else {
      err.println("(set MAHA_DEBUG=1 for a stack trace)");
    }
    err.flush();
    return 1;
  }

  static boolean isUserError(Throwable e) {
    return e instanceof InputException
        || e instanceof BackboneException
        || e instanceof DataException
        || e instanceof ModelFileException
        || e instanceof FitException
        || e instanceof UsageException
        || e instanceof org.maha.catalog.WeightCacheException
        || e instanceof org.maha.weights.WeightFileException
        || e instanceof org.maha.zoo.ZooException
        || e instanceof org.maha.arch.ArchitectureException;
  }

  /** A problem with what the user asked for that picocli cannot see (e.g. an output folder that is a file). */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }
}
