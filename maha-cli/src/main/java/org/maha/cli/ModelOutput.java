package org.maha.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The model file a command writes ({@code fit}, {@code update}, {@code merge}): one option pair and one check, so
 * that every command that writes a model refuses the same names for the same reasons.
 */
final class ModelOutput {
  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE",
      description = "Model file to write; its name must end in .maha (unless --force), and it must not be one of "
          + "the inputs (an input model is never replaced).")
  Path out;

  @Option(names = "--force", description = "Write the model even to a name that does not end in .maha.")
  boolean force;

  /** Refuses (exit 2) an output that is one of {@code inputs}, a non-regular file, or not named .maha. */
  Path check(List<Path> inputs) throws Exception {
    OutputPaths.model("-o", out, force, inputs);
    return out;
  }
}
