package io.sparkadvisor.findings;

import java.util.Locale;

/** Numbers as a person reads them in a log line: 1.2 GB, 41 s, 12 core-min. */
public final class Units {
  private Units() {}

  private static final String[] BYTE_UNITS = {"B", "KB", "MB", "GB", "TB", "PB"};

  public static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int unit = 0;
    while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return oneDecimal(v) + " " + BYTE_UNITS[unit];
  }

  public static String duration(long ms) {
    if (ms < 1_000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return oneDecimal(ms / 1_000.0) + " s";
    }
    if (ms < 3_600_000) {
      return oneDecimal(ms / 60_000.0) + " min";
    }
    return oneDecimal(ms / 3_600_000.0) + " h";
  }

  /** Core time, e.g. {@code 12.5 core-min}. */
  public static String coreTime(long coreMs) {
    if (coreMs < 60_000) {
      return oneDecimal(coreMs / 1_000.0) + " core-s";
    }
    if (coreMs < 36_000_000) {
      return oneDecimal(coreMs / 60_000.0) + " core-min";
    }
    return oneDecimal(coreMs / 3_600_000.0) + " core-h";
  }

  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  public static String percent(double fraction) {
    return oneDecimal(fraction * 100) + "%";
  }

  public static String times(double ratio) {
    return oneDecimal(ratio) + "x";
  }

  public static String oneDecimal(double v) {
    if (Math.abs(v - Math.rint(v)) < 0.05 || Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
