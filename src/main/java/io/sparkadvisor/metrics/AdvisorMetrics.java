package io.sparkadvisor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sparkadvisor.engine.AdvisorEngine;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.FindingSink;

/**
 * The advisor's meter registry: a composite that always holds an in-memory registry, with the
 * application's name and id as common tags. Exporting registries join it later. Meters read live
 * state through functions instead of being updated on Spark's thread.
 */
public final class AdvisorMetrics implements FindingSink {
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

  public AdvisorMetrics(String appName, String appId) {
    registry.config().commonTags(Tags.of("app.name", appName, "app.id", appId));
    registry.add(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
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

  @Override
  public void close() {
    registry.close();
  }
}
