package io.sparkadvisor.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The meter catalog of docs/metrics.md: meter name to its Prometheus name, in table order. */
final class MetricsDoc {
  private static final Pattern ROW = Pattern.compile("^\\| `(spark\\.[a-z.]+)` \\| `([a-z_]+)` \\|", Pattern.MULTILINE);

  private MetricsDoc() {}

  static Map<String, String> catalog() {
    try {
      String doc = Files.readString(Path.of("docs/metrics.md"));
      Map<String, String> out = new LinkedHashMap<>();
      Matcher m = ROW.matcher(doc);
      while (m.find()) {
        out.put(m.group(1), m.group(2));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
