package io.sparkadvisor;

import io.sparkadvisor.capture.EventCapture;
import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.config.AdvisorConfig;
import io.sparkadvisor.engine.AdvisorEngine;
import io.sparkadvisor.engine.RuleRunner;
import io.sparkadvisor.findings.FindingLog;
import io.sparkadvisor.findings.FindingSink;
import io.sparkadvisor.findings.JsonLinesSink;
import io.sparkadvisor.findings.LogSink;
import io.sparkadvisor.metrics.AdvisorMetrics;
import io.sparkadvisor.model.AppState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: {@code --conf spark.extraListeners=io.sparkadvisor.SparkAdvisorListener}.
 * A thin router: each callback hands the event to the capture code and returns; nothing here
 * throws into Spark. With {@code spark.advisor.enabled=false} the constructor logs one INFO line
 * and declines to be registered, as Spark allows.
 */
public final class SparkAdvisorListener extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(SparkAdvisorListener.class);

  /** The advisor of the running application, for {@link SparkAdvisorQueryListener}. */
  private static final java.util.concurrent.atomic.AtomicReference<SparkAdvisorListener> CURRENT =
      new java.util.concurrent.atomic.AtomicReference<>();

  private final AdvisorEngine engine;
  private final EventCapture capture;
  private final AdvisorMetrics metrics;
  private final long shutdownTimeoutMillis;

  public SparkAdvisorListener(SparkConf conf) {
    AdvisorConfig config;
    try {
      config = AdvisorConfig.from(Scala.settings(conf));
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("spark-advisor: could not read its configuration ({}); the advisor is off and the job "
          + "runs as usual", e.toString());
      throw new UnsupportedOperationException("spark-advisor could not start", e);
    }
    if (!config.enabled()) {
      LOG.info("spark-advisor is disabled ({}=false); not watching this application", AdvisorConfig.ENABLED);
      throw new UnsupportedOperationException("spark-advisor is disabled");
    }
    AdvisorMetrics started = null;
    try {
      List<String> warnings = new ArrayList<>(config.warnings());
      AppState state = new AppState(config.maxRetainedStages(), config.maxRetainedQueries());
      metrics = new AdvisorMetrics(config.appName(), config.appId(), config.metrics());
      started = metrics;
      List<FindingSink> sinks = new ArrayList<>(List.of(new LogSink(), metrics));
      if (config.findingsPath() != null) {
        sinks.add(new JsonLinesSink(Path.of(config.findingsPath())));
      }
      FindingLog findings = new FindingLog(sinks, 10_000);
      RuleRunner rules = RuleRunner.create(config, state, findings, warnings::add);
      for (String w : warnings) {
        LOG.warn("spark-advisor: {}", w);
      }
      engine = new AdvisorEngine(new AdvisorEngine.Settings(config.queueCapacity(),
          config.liveCheckIntervalMillis(), config.summaryEnabled(),
          config.spark().count("spark.task.cpus").orElse(1)), state, rules, findings,
          metrics.sparkMeters());
      metrics.bindEngine(engine);
      capture = new EventCapture(engine::offer);
      shutdownTimeoutMillis = config.shutdownTimeoutMillis();
      engine.start();
      CURRENT.set(this);
      LOG.info("spark-advisor {} watching this application with {} rules: {}", version(),
          rules.activeRuleIds().size(), String.join(", ", rules.activeRuleIds()));
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("spark-advisor: failed to start ({}); the advisor is off and the job runs as usual",
          e.toString(), e);
      if (started != null) {
        started.close(); // its endpoint and push threads
      }
      throw new UnsupportedOperationException("spark-advisor could not start", e);
    }
  }

  /** The advisor watching the running application, or null. */
  static SparkAdvisorListener current() {
    return CURRENT.get();
  }

  /** A QueryExecution handed over by {@link SparkAdvisorQueryListener}; on Spark's thread. */
  void queryExecuted(org.apache.spark.sql.execution.QueryExecution qe) {
    try {
      capture.queryExecuted(qe);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  /** The registry the advisor's meters live in. */
  public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** The advisor's meters, with the registries they are exported through. */
  AdvisorMetrics metrics() {
    return metrics;
  }

  private static String version() {
    String v = SparkAdvisorListener.class.getPackage().getImplementationVersion();
    return v == null ? "(dev)" : v;
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart e) {
    try {
      capture.taskStart(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    try {
      capture.taskEnd(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    try {
      capture.stageSubmitted(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    try {
      capture.stageCompleted(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart e) {
    try {
      capture.jobStart(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd e) {
    try {
      capture.jobEnd(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded e) {
    try {
      capture.executorAdded(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onExecutorMetricsUpdate(org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate e) {
    try {
      capture.executorMetrics(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
    try {
      capture.executorRemoved(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onApplicationStart(SparkListenerApplicationStart e) {
    try {
      capture.appStart(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent e) {
    try {
      capture.other(e);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }

  /**
   * The one callback allowed to wait: the application is over, and the summary should reach the
   * log before the JVM exits. Waits at most {@code spark.advisor.shutdownTimeout} (3 s).
   */
  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd e) {
    CURRENT.compareAndSet(this, null);
    try {
      engine.finish(capture.appEnd(e), shutdownTimeoutMillis);
    } catch (Throwable t) {
      engine.captureFailed(t);
    }
  }
}
