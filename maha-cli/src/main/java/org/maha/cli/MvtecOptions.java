package org.maha.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.maha.data.DataException;
import org.maha.data.MvtecCategory;
import org.maha.data.MvtecLayout;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The data set of `evaluate` and `experiment`: an MVTec-layout root (or one category folder) and a category. */
final class MvtecOptions {
  @Parameters(index = "0", paramLabel = "ROOT", description = "MVTec-layout root, or one category folder.")
  Path root;

  @Option(names = {"-c", "--category"}, paramLabel = "NAME", description = "Only this category.")
  String category;

  List<MvtecCategory> categories() throws DataException {
    return MvtecLayout.resolve(root, Optional.ofNullable(category));
  }
}
