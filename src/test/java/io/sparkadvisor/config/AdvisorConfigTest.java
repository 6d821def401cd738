package io.sparkadvisor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdvisorConfigTest {

  @Test
  void defaultsWhenNothingIsSet() {
    AdvisorConfig c = AdvisorConfig.from(Map.of());
    assertThat(c.enabled()).isTrue();
    assertThat(c.summaryEnabled()).isTrue();
    assertThat(c.findingsPath()).isNull();
    assertThat(c.maxRetainedStages()).isEqualTo(1_000);
    assertThat(c.queueCapacity()).isEqualTo(32_768);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void readsEveryKey() {
    AdvisorConfig c = AdvisorConfig.from(Map.of(
        "spark.advisor.enabled", "FALSE",
        "spark.advisor.rules.disabled", "TaskSkew, TinyTasks,",
        "spark.advisor.findings.path", "/tmp/f.jsonl",
        "spark.advisor.summary.enabled", "false",
        "spark.advisor.maxRetainedStages", "50",
        "spark.advisor.liveCheckInterval", "2s",
        "spark.advisor.rule.TaskSkew.minTasks", "20"));
    assertThat(c.enabled()).isFalse();
    assertThat(c.disabledRules()).containsExactly("TaskSkew", "TinyTasks");
    assertThat(c.findingsPath()).isEqualTo("/tmp/f.jsonl");
    assertThat(c.summaryEnabled()).isFalse();
    assertThat(c.maxRetainedStages()).isEqualTo(50);
    assertThat(c.liveCheckIntervalMillis()).isEqualTo(2_000);
    assertThat(c.ruleOptions("TaskSkew")).containsEntry("minTasks", "20");
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void malformedValuesWarnOnceEachAndKeepTheirDefaults() {
    AdvisorConfig c = AdvisorConfig.from(Map.of(
        "spark.advisor.enabled", "yes please",
        "spark.advisor.maxRetainedStages", "-3",
        "spark.advisor.enable", "true",
        "spark.advisor.rule.Oops", "1"));
    assertThat(c.enabled()).isTrue();
    assertThat(c.maxRetainedStages()).isEqualTo(1_000);
    assertThat(c.warnings()).hasSize(4).anySatisfy(w -> assertThat(w)
        .contains("spark.advisor.enabled", "'yes please'", "using the default true"))
        .anySatisfy(w -> assertThat(w).contains("spark.advisor.maxRetainedStages", "'-3'"))
        .anySatisfy(w -> assertThat(w).contains("unknown key spark.advisor.enable=true"))
        .anySatisfy(w -> assertThat(w).contains("spark.advisor.rule.Oops"));
  }

  @Test
  void ruleOptionsParseSparkSyntaxAndFallBackOnGarbage() {
    List<String> warnings = new ArrayList<>();
    RuleOptions o = new RuleOptions("X", Map.of("a", "30s", "b", "256m", "c", "12", "d", "0.25",
        "e", "soon", "f", "1.5"), warnings::add);
    assertThat(o.durationMillis("a", 1)).isEqualTo(30_000);
    assertThat(o.sizeBytes("b", 1)).isEqualTo(256L << 20);
    assertThat(o.count("c", 1)).isEqualTo(12);
    assertThat(o.ratio("d", 1)).isEqualTo(0.25);
    assertThat(o.durationMillis("e", 7)).isEqualTo(7);
    assertThat(o.count("f", 3)).isEqualTo(3);
    assertThat(o.unknownGiven()).isEmpty();
    assertThat(warnings).containsExactly(
        "malformed value 'soon' for spark.advisor.rule.X.e (expected a duration such as 30s or 500ms); "
            + "using the default 7ms",
        "malformed value '1.5' for spark.advisor.rule.X.f (expected a whole number); using the default 3");
  }

  @Test
  void valuesUnderstandSparkUnits() {
    assertThat(Values.durationMillis("5min")).hasValue(300_000);
    assertThat(Values.durationMillis("1h")).hasValue(3_600_000);
    assertThat(Values.durationMillis("250")).hasValue(250);
    assertThat(Values.durationMillis("-1s")).isEmpty();
    assertThat(Values.sizeBytes("1g")).hasValue(1L << 30);
    assertThat(Values.sizeBytes("100MB")).hasValue(100L << 20);
    assertThat(Values.sizeBytes("10 kb")).hasValue(10L << 10);
    assertThat(Values.sizeBytes("12parsecs")).isEmpty();
    assertThat(Values.count("1e3")).hasValue(1_000);
  }

  @Test
  void configValuesInFindingsHonourRedaction() {
    AdvisorConfig c = AdvisorConfig.from(Map.of(
        "spark.hadoop.fs.s3a.secret.key", "hunter2",
        "spark.executor.memory", "8g",
        "spark.custom.url", "jdbc://user:password@db"));
    assertThat(c.spark().display("spark.hadoop.fs.s3a.secret.key"))
        .isEqualTo("spark.hadoop.fs.s3a.secret.key=*********(redacted)");
    assertThat(c.spark().display("spark.custom.url")).isEqualTo("spark.custom.url=*********(redacted)");
    assertThat(c.spark().display("spark.executor.memory")).isEqualTo("spark.executor.memory=8g");

    AdvisorConfig custom = AdvisorConfig.from(Map.of("spark.redaction.regex", "memory",
        "spark.executor.memory", "8g"));
    assertThat(custom.spark().display("spark.executor.memory")).endsWith("(redacted)");

    AdvisorConfig broken = AdvisorConfig.from(Map.of("spark.redaction.regex", "(unclosed"));
    assertThat(broken.warnings()).singleElement().asString().contains("spark.redaction.regex");
  }
}
