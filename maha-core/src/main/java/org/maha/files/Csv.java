package org.maha.files;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The one CSV dialect maha writes (RFC 4180 quoting by Apache Commons CSV, {@code \n} line ends): a field holding
 * a comma, quote, CR or LF (a file name may hold any of them) is quoted, so every record stays one row for any
 * reader.
 */
public final class Csv {
  private Csv() {}

  public static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator("\n").get();

  /** One field, quoted when it needs to be. */
  public static String field(String value) {
    return FORMAT.format(value);
  }

  /** One record with its line end. */
  public static String row(Object... values) {
    return FORMAT.format(values) + "\n";
  }

  /** Every record of {@code text} (header included), as written by {@link #row}. */
  public static List<List<String>> parse(String text) throws IOException {
    List<List<String>> out = new ArrayList<>();
    for (CSVRecord r : FORMAT.parse(new StringReader(text))) {
      out.add(r.toList());
    }
    return out;
  }
}
