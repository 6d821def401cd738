package io.sparkadvisor.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.logging.LoggingMeterRegistry;
import io.micrometer.core.instrument.logging.LoggingRegistryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.ipc.http.HttpUrlConnectionSender;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpHttpMetricsSender;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.micrometer.registry.otlp.OtlpMetricsSender;
import io.sparkadvisor.config.MetricsConfig;
import io.sparkadvisor.engine.AdvisorEngine;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.FindingSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisor's meter registry: a composite that always holds an in-memory registry, with the
 * application's name and id as common tags, and the exporting registries chosen by
 * {@code spark.advisor.metrics.registries}. A registry that cannot start costs one WARN and is
 * left out; the others and the job go on. Meters are updated on the advisor's thread only.
 */
public final class AdvisorMetrics implements FindingSink {
  private static final Logger LOG = LoggerFactory.getLogger("io.sparkadvisor.metrics");

  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final SimpleMeterRegistry memory = new SimpleMeterRegistry();
  private final ExportFailures failures;
  private final List<MeterRegistry> exporting = new ArrayList<>();
  private final SparkMeters sparkMeters;
  private PrometheusEndpoint endpoint;
  private PushgatewayPusher pusher;

  public AdvisorMetrics(String appName, String appId, MetricsConfig config) {
    registry.config().commonTags(Tags.of("app.name", appName, "app.id", appId));
    registry.add(memory);
    failures = new ExportFailures(registry);
    for (String name : MetricsConfig.KNOWN_REGISTRIES) {
      if (config.enabled(name)) {
        try {
          start(name, config, appName);
        } catch (RuntimeException | LinkageError e) {
          failures.failed(name, "could not start the " + name + " metrics registry ("
              + ExportFailures.cause(e) + "); its metrics are not exported", false);
        }
      }
    }
    sparkMeters = new SparkMeters(registry, config.maxQueryTags());
  }

  private void start(String name, MetricsConfig config, String appName) {
    switch (name) {
      case "prometheus" -> {
        endpoint = PrometheusEndpoint.start(config.prometheusHost(), config.prometheusPort(), prometheus(),
            failures);
      }
      case "pushgateway" -> {
        String job = config.pushgatewayJob().isEmpty()
            ? (appName.isBlank() ? "spark-advisor" : appName) : config.pushgatewayJob();
        pusher = new PushgatewayPusher(config.pushgatewayUrl(), job, config.stepMillis(),
            config.timeoutMillis(), prometheus(), failures);
      }
      case "otlp" -> add(otlp(config, appName));
      case "jmx" -> add(new JmxMeterRegistry(new JmxConfig() {
        @Override
        public String get(String key) {
          return null;
        }

        @Override
        public String domain() {
          return "sparkadvisor";
        }
      }, Clock.SYSTEM));
      case "logging" -> {
        LoggingRegistryConfig logging = new LoggingRegistryConfig() {
          @Override
          public String get(String key) {
            return null;
          }

          @Override
          public Duration step() {
            return Duration.ofMillis(config.stepMillis());
          }
        };
        add(LoggingMeterRegistry.builder(logging).loggingSink(LOG::info)
            .threadFactory(daemon("spark-advisor-metrics-log")).build());
      }
      default -> throw new IllegalArgumentException("unknown registry " + name);
    }
  }

  private PrometheusMeterRegistry prometheus() {
    for (MeterRegistry r : exporting) {
      if (r instanceof PrometheusMeterRegistry p) {
        return p;
      }
    }
    PrometheusMeterRegistry p = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    add(p);
    return p;
  }

  private OtlpMeterRegistry otlp(MetricsConfig config, String appName) {
    Map<String, String> settings = Map.of("otlp.url", config.otlpUrl(),
        "otlp.step", config.stepMillis() + "ms");
    OtlpConfig otlp = new OtlpConfig() {
      @Override
      public String get(String key) {
        return settings.get(key);
      }

      @Override
      public Map<String, String> resourceAttributes() {
        return Map.of("service.name", appName.isBlank() ? "spark-advisor" : appName);
      }
    };
    Duration timeout = Duration.ofMillis(config.timeoutMillis());
    OtlpMetricsSender http = new OtlpHttpMetricsSender(new HttpUrlConnectionSender(timeout, timeout));
    OtlpMetricsSender guarded = request -> {
      try {
        http.send(request);
      } catch (Exception e) {
        failures.failed("otlp", "could not export metrics over OTLP to " + request.getAddress() + " ("
            + ExportFailures.cause(e) + ")");
      }
    };
    return OtlpMeterRegistry.builder(otlp).metricsSender(guarded)
        .threadFactory(daemon("spark-advisor-otlp")).build();
  }

  private void add(MeterRegistry r) {
    exporting.add(r);
    registry.add(r);
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The in-memory registry inside the composite: every meter, whatever is exported. */
  public SimpleMeterRegistry memoryRegistry() {
    return memory;
  }

  /** The meters of stages, tasks, queries, streams and executors, fed by the engine. */
  public SparkMeters sparkMeters() {
    return sparkMeters;
  }

  /** The port the Prometheus endpoint listens on, or -1 when it is not running. */
  public int prometheusPort() {
    return endpoint == null ? -1 : endpoint.port();
  }

  /** The advisor's own health: events processed and dropped, queue depth, evaluation lag. */
  public void bindEngine(AdvisorEngine engine) {
    FunctionCounter.builder("spark.advisor.events.processed", engine, AdvisorEngine::processedEvents)
        .description("Spark events the advisor has processed").register(registry);
    FunctionCounter.builder("spark.advisor.events.dropped", engine, AdvisorEngine::droppedEvents)
        .description("Spark events dropped because the advisor's queue was full").register(registry);
    Gauge.builder("spark.advisor.queue.depth", engine, AdvisorEngine::queueDepth)
        .description("Events waiting for the advisor's thread").register(registry);
    Gauge.builder("spark.advisor.evaluation.lag", engine, e -> e.lagMillis() / 1000.0)
        .baseUnit("seconds")
        .description("Time between a task's end and the advisor processing it").register(registry);
    FunctionCounter.builder("spark.advisor.cpu.time", engine, e -> e.cpuTimeNanos() / 1e9)
        .baseUnit("seconds")
        .description("CPU time of the advisor's own thread").register(registry);
  }

  @Override
  public void emit(Finding f) {
    count(f);
  }

  @Override
  public void repeated(Finding f, int timesSeen) {
    count(f);
  }

  private void count(Finding f) {
    Counter.builder("spark.advisor.findings")
        .description("Findings reported, repeats at the same place included")
        .tag("rule", f.ruleId())
        .tag("severity", f.severity().name())
        .register(registry)
        .increment();
  }

  /**
   * At application end: the final push, then every exporter stopped. Each network call is bounded
   * by {@code spark.advisor.metrics.timeout}; a failure is counted, never thrown.
   */
  @Override
  public void close() {
    if (pusher != null) {
      guarded("pushgateway", pusher::close);
    }
    if (endpoint != null) {
      guarded("prometheus", endpoint::close);
    }
    for (MeterRegistry r : exporting) {
      guarded(r.getClass().getSimpleName(), r::close);
    }
    registry.close();
  }

  private void guarded(String what, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("spark-advisor: closing the {} metrics exporter failed ({}); ignored", what,
          ExportFailures.cause(e));
    }
  }
}
