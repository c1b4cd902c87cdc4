package org.maha.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  @Test
  void anyFileNameStaysOneFieldOfOneRecord() throws Exception {
    List<String> names = List.of("plain.png", "a,b.png", "say \"hi\".png", "two\nlines.png", "cr\rhere.png",
        " spaced .png", "");
    StringBuilder s = new StringBuilder(Csv.row("image", "score"));
    for (int i = 0; i < names.size(); i++) {
      s.append(Csv.row(names.get(i), i));
    }
    List<List<String>> rows = Csv.parse(s.toString());
    assertThat(rows).hasSize(names.size() + 1);
    for (int i = 0; i < names.size(); i++) {
      assertThat(rows.get(i + 1)).containsExactly(names.get(i), Integer.toString(i));
    }
  }

  @Test
  void plainFieldsAreNotQuoted() {
    assertThat(Csv.row("a", 1.5, "d_L0")).isEqualTo("a,1.5,d_L0\n");
    assertThat(Csv.field("x,y")).isEqualTo("\"x,y\"");
  }
}
