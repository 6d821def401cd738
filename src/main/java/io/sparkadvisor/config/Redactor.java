package io.sparkadvisor.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Spark's redaction of config values: when {@code spark.redaction.regex} matches a key or its
 * value, the value prints as Spark prints it, {@code *********(redacted)}.
 */
public final class Redactor {
  static final String DEFAULT_REGEX = "(?i)secret|password|token|access[.]?key";
  static final String REPLACEMENT = "*********(redacted)";

  private final Pattern pattern;

  private Redactor(Pattern pattern) {
    this.pattern = pattern;
  }

  /** Compiles the user's regex; a malformed one falls back to Spark's default. */
  static Redactor of(String regex, java.util.function.Consumer<String> warnings) {
    if (regex == null) {
      return new Redactor(Pattern.compile(DEFAULT_REGEX));
    }
    try {
      return new Redactor(Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      warnings.accept("malformed value '" + regex + "' for spark.redaction.regex (" + e.getDescription()
          + "); redacting with Spark's default " + DEFAULT_REGEX);
      return new Redactor(Pattern.compile(DEFAULT_REGEX));
    }
  }

  public static Redactor sparkDefault() {
    return new Redactor(Pattern.compile(DEFAULT_REGEX));
  }

  public String value(String key, String value) {
    if (value == null) {
      return null;
    }
    boolean sensitive = pattern.matcher(key).find() || pattern.matcher(value).find();
    return sensitive ? REPLACEMENT : value;
  }
}
