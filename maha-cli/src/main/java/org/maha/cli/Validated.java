package org.maha.cli;

/**
 * A command whose options are checked before any work starts: {@link MahaCommand#commandLine()} first checks every
 * numeric option against {@link OptionBounds}, then calls {@link #validate()} (option combinations, output paths
 * against the inputs), and only then the command itself. A failure is a usage error: exit 2 and one line.
 */
interface Validated {
  void validate() throws Exception;
}
