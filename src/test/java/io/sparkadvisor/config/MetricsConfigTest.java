package io.sparkadvisor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {

  @Test
  void nothingIsExportedByDefault() {
    AdvisorConfig c = AdvisorConfig.from(Map.of());
    MetricsConfig m = c.metrics();
    assertThat(m.registries()).isEmpty();
    assertThat(m.stepMillis()).isEqualTo(10_000);
    assertThat(m.timeoutMillis()).isEqualTo(2_000);
    assertThat(m.prometheusHost()).isEqualTo("0.0.0.0");
    assertThat(m.prometheusPort()).isEqualTo(9464);
    assertThat(m.pushgatewayUrl()).isNull();
    assertThat(m.otlpUrl()).isEqualTo("http://localhost:4318/v1/metrics");
    assertThat(m.maxQueryTags()).isEqualTo(20);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void readsEveryKeyWithoutCallingThemUnknown() {
    AdvisorConfig c = AdvisorConfig.from(Map.of(
        "spark.advisor.metrics.registries", " Prometheus, pushgateway,otlp,jmx , logging ",
        "spark.advisor.metrics.step", "30s",
        "spark.advisor.metrics.timeout", "500ms",
        "spark.advisor.metrics.prometheus.host", "127.0.0.1",
        "spark.advisor.metrics.prometheus.port", "0",
        "spark.advisor.metrics.pushgateway.url", "http://gw:9091/",
        "spark.advisor.metrics.pushgateway.job", "nightly",
        "spark.advisor.metrics.otlp.url", "https://collector:4318/v1/metrics",
        "spark.advisor.metrics.maxQueryTags", "5"));
    MetricsConfig m = c.metrics();
    assertThat(m.registries()).containsExactlyInAnyOrder("prometheus", "pushgateway", "otlp", "jmx", "logging");
    assertThat(m.stepMillis()).isEqualTo(30_000);
    assertThat(m.timeoutMillis()).isEqualTo(500);
    assertThat(m.prometheusHost()).isEqualTo("127.0.0.1");
    assertThat(m.prometheusPort()).isZero();
    assertThat(m.pushgatewayUrl()).isEqualTo("http://gw:9091/");
    assertThat(m.pushgatewayJob()).isEqualTo("nightly");
    assertThat(m.otlpUrl()).isEqualTo("https://collector:4318/v1/metrics");
    assertThat(m.maxQueryTags()).isEqualTo(5);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void eachMalformedValueIsOneWarningAndItsDefault() {
    AdvisorConfig c = AdvisorConfig.from(Map.of(
        "spark.advisor.metrics.registries", "prometheus,graphite",
        "spark.advisor.metrics.step", "10 parsecs",
        "spark.advisor.metrics.timeout", "0s",
        "spark.advisor.metrics.prometheus.port", "99999",
        "spark.advisor.metrics.maxQueryTags", "-1"));
    MetricsConfig m = c.metrics();
    assertThat(m.registries()).containsExactly("prometheus");
    assertThat(m.stepMillis()).isEqualTo(10_000);
    assertThat(m.timeoutMillis()).isEqualTo(2_000);
    assertThat(m.prometheusPort()).isEqualTo(9464);
    assertThat(m.maxQueryTags()).isEqualTo(20);
    assertThat(c.warnings()).hasSize(5).anySatisfy(w -> assertThat(w).contains("'graphite'", "known: prometheus"))
        .anySatisfy(w -> assertThat(w).contains("'99999'", "spark.advisor.metrics.prometheus.port"));
  }

  @Test
  void aPushRegistryWithoutAUsableUrlIsLeftOutWithOneWarning() {
    AdvisorConfig missing = AdvisorConfig.from(Map.of("spark.advisor.metrics.registries", "pushgateway"));
    assertThat(missing.metrics().registries()).isEmpty();
    assertThat(missing.warnings()).singleElement().asString().contains("needs spark.advisor.metrics.pushgateway.url");

    AdvisorConfig malformed = AdvisorConfig.from(Map.of(
        "spark.advisor.metrics.registries", "pushgateway,otlp,prometheus",
        "spark.advisor.metrics.pushgateway.url", "gw:9091",
        "spark.advisor.metrics.otlp.url", "http://"));
    assertThat(malformed.metrics().registries()).containsExactly("prometheus");
    assertThat(malformed.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).startsWith("malformed URL"));

    // A URL for a registry not asked for is not judged.
    assertThat(AdvisorConfig.from(Map.of("spark.advisor.metrics.otlp.url", "nonsense")).warnings()).isEmpty();
  }
}
