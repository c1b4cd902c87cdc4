package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code maha --help} lists each command with the first line of its header or description only, so that line
 * must be a whole sentence: a line cut mid-sentence ("…write a report (HTML with") is what a newcomer reads
 * first.
 */
class HelpTextTest {

  @Test
  void everyCommandsFirstDescriptionLineIsACompleteSentence() {
    List<String> checked = new ArrayList<>();
    visit(MahaCommand.commandLine(), checked);
    assertThat(checked).as("commands checked").hasSizeGreaterThanOrEqualTo(12);
  }

  private static void visit(CommandLine cl, List<String> checked) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      // the command list shows the header's first line if there is one, else the description's (picocli)
      String[] header = sub.getCommandSpec().usageMessage().header();
      String[] description = header.length > 0 ? header : sub.getCommandSpec().usageMessage().description();
      String name = sub.getCommandSpec().qualifiedName();
      if (checked.contains(name)) {
        continue; // an alias (evaluate, eval) maps to the same command
      }
      assertThat(description).as("%s has a description", name).isNotEmpty();
      String first = description[0].strip();
      assertThat(first).as("first description line of '%s'", name).endsWith(".").doesNotEndWith(",");
      assertThat(Character.isUpperCase(first.charAt(0))).as("'%s' starts a sentence: %s", name, first).isTrue();
      assertThat(parenthesesBalance(first)).as("'%s' closes its parentheses: %s", name, first).isZero();
      checked.add(name);
      visit(sub, checked);
    }
  }

  private static int parenthesesBalance(String s) {
    return (int) (s.chars().filter(c -> c == '(').count() - s.chars().filter(c -> c == ')').count());
  }
}
