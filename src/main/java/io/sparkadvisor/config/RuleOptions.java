package io.sparkadvisor.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The options of one rule, {@code spark.advisor.rule.<RuleId>.<param>}. A rule reads each option
 * once, in its constructor, with its default; a malformed value gets one WARN naming the key and
 * the value, and the default applies. Every option read is remembered with its default, so the
 * docs test can check that each rule's page names each of its keys.
 */
public final class RuleOptions {
  private final String ruleId;
  private final Map<String, String> given;
  private final Consumer<String> warnings;
  private final Map<String, String> declared = new LinkedHashMap<>();

  public RuleOptions(String ruleId, Map<String, String> given, Consumer<String> warnings) {
    this.ruleId = ruleId;
    this.given = Map.copyOf(given);
    this.warnings = warnings;
  }

  /** Options with no values given: every rule at its defaults. */
  public static RuleOptions defaults(String ruleId) {
    return new RuleOptions(ruleId, Map.of(), w -> {});
  }

  public long durationMillis(String param, long defaultMillis) {
    return read(param, Values::durationMillis, defaultMillis, defaultMillis + "ms", "a duration such as 30s or 500ms");
  }

  public long sizeBytes(String param, long defaultBytes) {
    return read(param, Values::sizeBytes, defaultBytes, defaultBytes + "b", "a size such as 256m or 1g");
  }

  public long count(String param, long defaultCount) {
    return read(param, Values::count, defaultCount, Long.toString(defaultCount), "a whole number");
  }

  public double ratio(String param, double defaultRatio) {
    declared.put(param, Double.toString(defaultRatio));
    String raw = given.get(param);
    if (raw == null) {
      return defaultRatio;
    }
    OptionalDouble parsed = Values.ratio(raw);
    if (parsed.isPresent()) {
      return parsed.getAsDouble();
    }
    warnMalformed(param, raw, "a non-negative number", Double.toString(defaultRatio));
    return defaultRatio;
  }

  public String ruleId() {
    return ruleId;
  }

  /** The options this rule read, each with its default, in the order read. */
  public Map<String, String> declared() {
    return Collections.unmodifiableMap(declared);
  }

  /** Options the user set that the rule never read: typos, most likely. */
  public Iterable<String> unknownGiven() {
    return given.keySet().stream().filter(k -> !declared.containsKey(k)).sorted().toList();
  }

  public String key(String param) {
    return AdvisorConfig.RULE_PREFIX + ruleId + "." + param;
  }

  private long read(String param, Function<String, OptionalLong> parser, long dflt, String dfltText,
      String expected) {
    declared.put(param, dfltText);
    String raw = given.get(param);
    if (raw == null) {
      return dflt;
    }
    OptionalLong parsed = parser.apply(raw);
    if (parsed.isPresent()) {
      return parsed.getAsLong();
    }
    warnMalformed(param, raw, expected, dfltText);
    return dflt;
  }

  private void warnMalformed(String param, String raw, String expected, String dflt) {
    warnings.accept("malformed value '" + raw + "' for " + key(param) + " (expected " + expected
        + "); using the default " + dflt);
  }
}
