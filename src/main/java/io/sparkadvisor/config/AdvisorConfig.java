package io.sparkadvisor.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything the advisor reads from the Spark configuration, typed and built once when the
 * listener is created. Malformed values are reported in {@link #warnings()} (the listener logs
 * each once) and replaced by their defaults; building never throws on user input.
 */
public final class AdvisorConfig {
  public static final String PREFIX = "spark.advisor.";
  public static final String RULE_PREFIX = PREFIX + "rule.";

  public static final String ENABLED = PREFIX + "enabled";
  public static final String RULES_DISABLED = PREFIX + "rules.disabled";
  public static final String RULES_CUSTOM = PREFIX + "rules.custom";
  public static final String FINDINGS_PATH = PREFIX + "findings.path";
  public static final String SUMMARY_ENABLED = PREFIX + "summary.enabled";
  public static final String QUEUE_CAPACITY = PREFIX + "queue.capacity";
  public static final String MAX_STAGES = PREFIX + "maxRetainedStages";
  public static final String MAX_QUERIES = PREFIX + "maxRetainedQueries";
  public static final String LIVE_INTERVAL = PREFIX + "liveCheckInterval";
  public static final String SHUTDOWN_TIMEOUT = PREFIX + "shutdownTimeout";

  private static final Set<String> KNOWN_KEYS = Set.of(ENABLED, RULES_DISABLED, RULES_CUSTOM,
      FINDINGS_PATH, SUMMARY_ENABLED, QUEUE_CAPACITY, MAX_STAGES, MAX_QUERIES, LIVE_INTERVAL, SHUTDOWN_TIMEOUT);

  private final boolean enabled;
  private final Set<String> disabledRules;
  private final List<String> customRules;
  private final Map<String, Map<String, String>> ruleOptions;
  private final String findingsPath;
  private final boolean summaryEnabled;
  private final int queueCapacity;
  private final int maxRetainedStages;
  private final int maxRetainedQueries;
  private final long liveCheckIntervalMillis;
  private final long shutdownTimeoutMillis;
  private final SparkSettings spark;
  private final MetricsConfig metrics;
  private final String appName;
  private final String appId;
  private final List<String> warnings;

  private AdvisorConfig(Map<String, String> conf) {
    List<String> warns = new ArrayList<>();
    this.enabled = bool(conf, ENABLED, true, warns);
    this.disabledRules = list(conf.get(RULES_DISABLED)).stream()
        .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
    this.customRules = list(conf.get(RULES_CUSTOM));
    this.findingsPath = blankToNull(conf.get(FINDINGS_PATH));
    this.summaryEnabled = bool(conf, SUMMARY_ENABLED, true, warns);
    this.queueCapacity = (int) positive(conf, QUEUE_CAPACITY, 32_768, Values::count, warns, 1 << 24);
    this.maxRetainedStages = (int) positive(conf, MAX_STAGES, 1_000, Values::count, warns, 1 << 20);
    this.maxRetainedQueries = (int) positive(conf, MAX_QUERIES, 200, Values::count, warns, 1 << 20);
    this.liveCheckIntervalMillis =
        positive(conf, LIVE_INTERVAL, 1_000, Values::durationMillis, warns, 3_600_000);
    this.shutdownTimeoutMillis =
        positive(conf, SHUTDOWN_TIMEOUT, 3_000, Values::durationMillis, warns, 60_000);

    Map<String, Map<String, String>> options = new TreeMap<>();
    for (Map.Entry<String, String> e : conf.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(RULE_PREFIX)) {
        String rest = key.substring(RULE_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
          warns.add("ignoring " + key + ": rule options are spark.advisor.rule.<RuleId>.<param>");
          continue;
        }
        options.computeIfAbsent(rest.substring(0, dot), r -> new TreeMap<>())
            .put(rest.substring(dot + 1), e.getValue());
      } else if (key.startsWith(PREFIX) && !KNOWN_KEYS.contains(key) && !MetricsConfig.KEYS.contains(key)) {
        warns.add("ignoring unknown key " + key + "=" + e.getValue());
      }
    }
    this.ruleOptions = Map.copyOf(options);
    this.metrics = MetricsConfig.from(conf, warns);
    this.spark = new SparkSettings(conf, Redactor.of(conf.get("spark.redaction.regex"), warns::add));
    this.appName = conf.getOrDefault("spark.app.name", "");
    this.appId = conf.getOrDefault("spark.app.id", "");
    this.warnings = List.copyOf(warns);
  }

  /** Builds the configuration from all of Spark's settings (SparkConf.getAll). */
  public static AdvisorConfig from(Map<String, String> sparkConf) {
    return new AdvisorConfig(new HashMap<>(sparkConf));
  }

  public boolean enabled() {
    return enabled;
  }

  public Set<String> disabledRules() {
    return disabledRules;
  }

  public List<String> customRules() {
    return customRules;
  }

  /** Options given for one rule id, param to raw value. */
  public Map<String, String> ruleOptions(String ruleId) {
    return ruleOptions.getOrDefault(ruleId, Map.of());
  }

  /** Every rule id named by an option key. */
  public Set<String> ruleIdsWithOptions() {
    return ruleOptions.keySet();
  }

  /** JSON-lines output path, or null. */
  public String findingsPath() {
    return findingsPath;
  }

  public boolean summaryEnabled() {
    return summaryEnabled;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** Ended SQL queries whose plans and metrics are kept, for stages that finish after them. */
  public int maxRetainedQueries() {
    return maxRetainedQueries;
  }

  public int maxRetainedStages() {
    return maxRetainedStages;
  }

  public long liveCheckIntervalMillis() {
    return liveCheckIntervalMillis;
  }

  public long shutdownTimeoutMillis() {
    return shutdownTimeoutMillis;
  }

  /** Where the meters are exported: {@code spark.advisor.metrics.*}. */
  public MetricsConfig metrics() {
    return metrics;
  }

  public SparkSettings spark() {
    return spark;
  }

  public String appName() {
    return appName;
  }

  public String appId() {
    return appId;
  }

  /** One line per malformed or unknown setting, in the order found. */
  public List<String> warnings() {
    return warnings;
  }

  private static boolean bool(Map<String, String> conf, String key, boolean dflt, List<String> warns) {
    String raw = conf.get(key);
    if (raw == null) {
      return dflt;
    }
    Boolean b = Values.bool(raw);
    if (b == null) {
      warns.add("malformed value '" + raw + "' for " + key + " (expected true or false); using the default "
          + dflt);
      return dflt;
    }
    return b;
  }

  private static long positive(Map<String, String> conf, String key, long dflt,
      Function<String, OptionalLong> parser, List<String> warns, long max) {
    String raw = conf.get(key);
    if (raw == null) {
      return dflt;
    }
    OptionalLong v = parser.apply(raw);
    if (v.isEmpty() || v.getAsLong() <= 0 || v.getAsLong() > max) {
      warns.add("malformed value '" + raw + "' for " + key + " (expected a positive value up to " + max
          + "); using the default " + dflt);
      return dflt;
    }
    return v.getAsLong();
  }

  private static List<String> list(String raw) {
    if (raw == null) {
      return List.of();
    }
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
