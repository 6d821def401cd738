package io.sparkadvisor.config;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Parsers for the value syntax Spark users already know: durations as {@code 500ms}, {@code 30s},
 * {@code 5min}, {@code 1h} (a bare number is milliseconds) and sizes as {@code 256m}, {@code 100mb},
 * {@code 1g} (a bare number is bytes). Each returns empty on malformed input, never throws.
 */
public final class Values {
  private Values() {}

  public static OptionalLong durationMillis(String raw) {
    String s = normalize(raw);
    if (s.isEmpty()) {
      return OptionalLong.empty();
    }
    int split = unitStart(s);
    OptionalDouble number = number(s.substring(0, split));
    if (number.isEmpty()) {
      return OptionalLong.empty();
    }
    double factor;
    switch (s.substring(split)) {
      case "", "ms" -> factor = 1;
      case "s", "sec", "secs" -> factor = 1_000;
      case "m", "min", "mins" -> factor = 60_000;
      case "h", "hr", "hour", "hours" -> factor = 3_600_000;
      case "d", "day", "days" -> factor = 86_400_000;
      default -> {
        return OptionalLong.empty();
      }
    }
    return nonNegative(number.getAsDouble() * factor);
  }

  public static OptionalLong sizeBytes(String raw) {
    String s = normalize(raw);
    if (s.isEmpty()) {
      return OptionalLong.empty();
    }
    int split = unitStart(s);
    OptionalDouble number = number(s.substring(0, split));
    if (number.isEmpty()) {
      return OptionalLong.empty();
    }
    double factor;
    switch (s.substring(split)) {
      case "", "b" -> factor = 1;
      case "k", "kb", "kib" -> factor = 1L << 10;
      case "m", "mb", "mib" -> factor = 1L << 20;
      case "g", "gb", "gib" -> factor = 1L << 30;
      case "t", "tb", "tib" -> factor = 1L << 40;
      default -> {
        return OptionalLong.empty();
      }
    }
    return nonNegative(number.getAsDouble() * factor);
  }

  public static OptionalLong count(String raw) {
    OptionalDouble d = number(normalize(raw));
    if (d.isEmpty() || d.getAsDouble() != Math.rint(d.getAsDouble())) {
      return OptionalLong.empty();
    }
    return nonNegative(d.getAsDouble());
  }

  public static OptionalDouble ratio(String raw) {
    OptionalDouble d = number(normalize(raw));
    return d.isPresent() && d.getAsDouble() >= 0 ? d : OptionalDouble.empty();
  }

  /** Spark's boolean syntax: true/false, case-insensitive; anything else is malformed. */
  public static Boolean bool(String raw) {
    String s = normalize(raw);
    return switch (s) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> null;
    };
  }

  private static String normalize(String raw) {
    return raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT).replace("_", "");
  }

  private static int unitStart(String s) {
    int i = s.length();
    while (i > 0 && Character.isLetter(s.charAt(i - 1))) {
      i--;
    }
    return i;
  }

  private static OptionalDouble number(String s) {
    String t = s.trim();
    if (t.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      double d = Double.parseDouble(t);
      return Double.isFinite(d) ? OptionalDouble.of(d) : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  private static OptionalLong nonNegative(double d) {
    return d >= 0 && d < Long.MAX_VALUE ? OptionalLong.of(Math.round(d)) : OptionalLong.empty();
  }
}
