package io.sparkadvisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The main jar is what users put on --jars: self-contained, its dependencies relocated under
 * io.sparkadvisor.shaded, and nothing of Spark, Scala, SLF4J or log4j inside. Runs after package.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of(System.getProperty("shaded.jar", "target/missing.jar"));

  @Test
  void everyClassLivesUnderTheAdvisorsOwnPackage() throws Exception {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> classes = jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class"))
          .filter(n -> !n.startsWith("META-INF/")).toList();
      assertThat(classes).contains("io/sparkadvisor/SparkAdvisorListener.class",
          "io/sparkadvisor/shaded/io/micrometer/core/instrument/MeterRegistry.class",
          "io/sparkadvisor/shaded/com/datadoghq/sketch/ddsketch/DDSketch.class",
          // the exporting registries and what they need, relocated too
          "io/sparkadvisor/shaded/io/micrometer/prometheusmetrics/PrometheusMeterRegistry.class",
          "io/sparkadvisor/shaded/io/prometheus/metrics/model/registry/PrometheusRegistry.class",
          "io/sparkadvisor/shaded/io/micrometer/registry/otlp/OtlpMeterRegistry.class",
          "io/sparkadvisor/shaded/com/google/protobuf/Message.class",
          "io/sparkadvisor/shaded/io/micrometer/jmx/JmxMeterRegistry.class",
          "io/sparkadvisor/shaded/com/codahale/metrics/MetricRegistry.class",
          "io/sparkadvisor/shaded/org/jctools/queues/MpscArrayQueue.class");
      assertThat(classes).allMatch(n -> n.startsWith("io/sparkadvisor/"));
      assertThat(classes).noneMatch(n -> n.contains("/apache/spark/") || n.startsWith("scala/")
          || n.contains("/slf4j/") || n.contains("/log4j/"));
    }
  }

  @Test
  void theAdvisorsOwnClassesUseTheRelocatedNames() throws Exception {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      String metrics = read(jar, "io/sparkadvisor/metrics/AdvisorMetrics.class");
      assertThat(metrics).contains("io/sparkadvisor/shaded/io/micrometer/").doesNotContain("Lio/micrometer/");
      String otlp = read(jar, "io/sparkadvisor/shaded/io/micrometer/registry/otlp/OtlpMeterRegistry.class");
      assertThat(otlp).contains("io/sparkadvisor/shaded/io/opentelemetry/proto/")
          .doesNotContain("Lio/opentelemetry/proto/");
      String sketch = read(jar, "io/sparkadvisor/model/QuantileSketch.class");
      assertThat(sketch).contains("io/sparkadvisor/shaded/com/datadoghq/").doesNotContain("Lcom/datadoghq/");
    }
  }

  private static String read(JarFile jar, String entry) throws Exception {
    try (InputStream in = jar.getInputStream(jar.getEntry(entry))) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
