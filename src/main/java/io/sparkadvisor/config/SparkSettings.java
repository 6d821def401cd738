package io.sparkadvisor.config;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Spark configuration as rules see it: the application's conf, optionally overlaid with a
 * session's changed SQL conf. Values that leave the advisor (in a finding) go through
 * {@link #display}, which honours {@code spark.redaction.regex}.
 */
public final class SparkSettings {
  private final Map<String, String> values;
  private final Redactor redactor;

  public SparkSettings(Map<String, String> values, Redactor redactor) {
    this.values = Map.copyOf(values);
    this.redactor = redactor;
  }

  public static SparkSettings of(Map<String, String> values) {
    return new SparkSettings(values, Redactor.sparkDefault());
  }

  /** The same settings with a SQL session's changed values on top. */
  public SparkSettings overlay(Map<String, String> sessionValues) {
    if (sessionValues.isEmpty()) {
      return this;
    }
    java.util.HashMap<String, String> merged = new java.util.HashMap<>(values);
    merged.putAll(sessionValues);
    return new SparkSettings(merged, redactor);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  public boolean bool(String key, boolean dflt) {
    Boolean b = Values.bool(values.get(key));
    return b == null ? dflt : b;
  }

  public OptionalLong sizeBytes(String key) {
    String v = values.get(key);
    return v == null ? OptionalLong.empty() : Values.sizeBytes(v);
  }

  public OptionalLong count(String key) {
    String v = values.get(key);
    return v == null ? OptionalLong.empty() : Values.count(v);
  }

  public boolean isSet(String key) {
    return values.containsKey(key);
  }

  /**
   * The value as it may be printed in a finding, redacted when the key or value is sensitive, or
   * {@code dflt} (what Spark uses when it is unset) when it is not set.
   */
  public String shown(String key, String dflt) {
    String v = values.get(key);
    return v == null ? dflt : redactor.value(key, v);
  }

  /** {@code key=value} as it may be printed, redacted when the key or value is sensitive. */
  public String display(String key) {
    String v = values.get(key);
    return key + "=" + (v == null ? "<unset>" : redactor.value(key, v));
  }
}
