package io.sparkadvisor.config;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where the advisor's meters go: {@code spark.advisor.metrics.*}. Every value is checked here, so
 * a malformed one costs one warning and its default (or, for a registry that cannot work without
 * it, that registry alone); building never throws.
 *
 * @param registries the exporting registries to start, from {@link #KNOWN_REGISTRIES}
 * @param stepMillis how often push registries publish
 * @param timeoutMillis the bound on each connect and each request of a push
 * @param pushgatewayUrl the Pushgateway's base URL, or null
 * @param pushgatewayJob the {@code job} grouping key; blank means the application's name
 * @param maxQueryTags distinct streaming query names used as tag values; the rest share "other"
 */
public record MetricsConfig(Set<String> registries, long stepMillis, long timeoutMillis,
    String prometheusHost, int prometheusPort, String pushgatewayUrl, String pushgatewayJob,
    String otlpUrl, int maxQueryTags) {

  public static final String PREFIX = AdvisorConfig.PREFIX + "metrics.";
  public static final String REGISTRIES = PREFIX + "registries";
  public static final String STEP = PREFIX + "step";
  public static final String TIMEOUT = PREFIX + "timeout";
  public static final String PROMETHEUS_HOST = PREFIX + "prometheus.host";
  public static final String PROMETHEUS_PORT = PREFIX + "prometheus.port";
  public static final String PUSHGATEWAY_URL = PREFIX + "pushgateway.url";
  public static final String PUSHGATEWAY_JOB = PREFIX + "pushgateway.job";
  public static final String OTLP_URL = PREFIX + "otlp.url";
  public static final String MAX_QUERY_TAGS = PREFIX + "maxQueryTags";

  public static final Set<String> KEYS = Set.of(REGISTRIES, STEP, TIMEOUT, PROMETHEUS_HOST,
      PROMETHEUS_PORT, PUSHGATEWAY_URL, PUSHGATEWAY_JOB, OTLP_URL, MAX_QUERY_TAGS);

  public static final List<String> KNOWN_REGISTRIES = List.of("prometheus", "pushgateway", "otlp", "jmx", "logging");
  public static final String DEFAULT_OTLP_URL = "http://localhost:4318/v1/metrics";

  public MetricsConfig {
    registries = Set.copyOf(registries);
  }

  public boolean enabled(String registry) {
    return registries.contains(registry);
  }

  static MetricsConfig from(Map<String, String> conf, List<String> warns) {
    Set<String> registries = new LinkedHashSet<>();
    String raw = conf.get(REGISTRIES);
    if (raw != null) {
      for (String name : Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
        String r = name.toLowerCase(Locale.ROOT);
        if (KNOWN_REGISTRIES.contains(r)) {
          registries.add(r);
        } else {
          warns.add("ignoring unknown metrics registry '" + name + "' in " + REGISTRIES + " (known: "
              + String.join(", ", KNOWN_REGISTRIES) + ")");
        }
      }
    }
    long step = duration(conf, STEP, 10_000, 1_000, 3_600_000, warns);
    long timeout = duration(conf, TIMEOUT, 2_000, 100, 60_000, warns);
    String host = conf.getOrDefault(PROMETHEUS_HOST, "0.0.0.0").trim();
    if (host.isEmpty()) {
      warns.add("empty " + PROMETHEUS_HOST + "; using the default 0.0.0.0");
      host = "0.0.0.0";
    }
    int port = 9464;
    String rawPort = conf.get(PROMETHEUS_PORT);
    if (rawPort != null) {
      OptionalLong p = Values.count(rawPort);
      if (p.isEmpty() || p.getAsLong() > 65_535) {
        warns.add("malformed value '" + rawPort + "' for " + PROMETHEUS_PORT
            + " (expected a port, 0 to 65535); using the default 9464");
      } else {
        port = (int) p.getAsLong();
      }
    }
    if (registries.contains("pushgateway") && isBlank(conf.get(PUSHGATEWAY_URL))) {
      registries.remove("pushgateway");
      warns.add("the pushgateway registry needs " + PUSHGATEWAY_URL + " (http://host:9091); it is off");
    }
    String pushUrl = url(conf, PUSHGATEWAY_URL, null, registries, "pushgateway", warns);
    String otlpUrl = url(conf, OTLP_URL, DEFAULT_OTLP_URL, registries, "otlp", warns);
    long maxTags = 20;
    String rawTags = conf.get(MAX_QUERY_TAGS);
    if (rawTags != null) {
      OptionalLong t = Values.count(rawTags);
      if (t.isEmpty() || t.getAsLong() < 1 || t.getAsLong() > 1_000) {
        warns.add("malformed value '" + rawTags + "' for " + MAX_QUERY_TAGS
            + " (expected 1 to 1000); using the default 20");
      } else {
        maxTags = t.getAsLong();
      }
    }
    return new MetricsConfig(registries, step, timeout, host, port, pushUrl,
        conf.getOrDefault(PUSHGATEWAY_JOB, "").trim(), otlpUrl, (int) maxTags);
  }

  private static long duration(Map<String, String> conf, String key, long dflt, long min, long max,
      List<String> warns) {
    String raw = conf.get(key);
    if (raw == null) {
      return dflt;
    }
    OptionalLong v = Values.durationMillis(raw);
    if (v.isEmpty() || v.getAsLong() < min || v.getAsLong() > max) {
      warns.add("malformed value '" + raw + "' for " + key + " (expected a duration from " + min
          + " ms to " + max + " ms); using the default " + dflt + " ms");
      return dflt;
    }
    return v.getAsLong();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * An http(s) URL with a host, or the default when unset. A malformed one switches its registry
   * off, with a warning when that registry was asked for.
   */
  private static String url(Map<String, String> conf, String key, String dflt, Set<String> registries,
      String registry, List<String> warns) {
    String raw = conf.get(key);
    if (isBlank(raw)) {
      return dflt;
    }
    String trimmed = raw.trim();
    try {
      URI u = new URI(trimmed);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
        return trimmed;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    if (registries.remove(registry)) {
      warns.add("malformed URL '" + raw + "' for " + key + " (expected http://host:port/...); the "
          + registry + " registry is off");
    }
    return null;
  }
}
