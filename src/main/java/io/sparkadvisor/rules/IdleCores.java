package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.StreamState;

/**
 * At application end: executors held far more core time than tasks used. Not judged for an
 * application that ran Structured Streaming queries: a streaming job holds its executors between
 * micro-batches by design (a trigger interval, headroom for bursts and catching up), so its idle
 * core time is the price of latency, not waste by batch standards; whether its batches keep up is
 * the streaming rules' to judge.
 */
@RuleInfo(id = "IdleCores", severity = Severity.WARN,
    summary = "Executors sat idle for most of the core time the application held")
public final class IdleCores implements Rule {
  private final double maxUsedRatio;
  private final long minAppDurationMs;
  private boolean streaming;

  public IdleCores(RuleOptions o) {
    maxUsedRatio = o.ratio("maxUsedRatio", 0.5);
    minAppDurationMs = o.durationMillis("minAppDuration", 300_000);
  }

  @Override
  public void onStreamProgress(StreamState stream, RuleContext ctx) {
    streaming = true;
  }

  @Override
  public void onApplicationEnd(AppState app, RuleContext ctx) {
    long end = app.endTime();
    long duration = end - app.startTime();
    if (streaming || app.startTime() <= 0 || duration < minAppDurationMs) {
      return;
    }
    long held = app.executors().coreMillisHeld(end);
    long taskCpus = Math.max(1, ctx.spark().count("spark.task.cpus").orElse(1));
    long used = app.totals().taskTimeMs() * taskCpus;
    if (held <= 0 || used >= maxUsedRatio * held) {
      return;
    }
    long idle = held - used;
    boolean dynamic = ctx.spark().bool("spark.dynamicAllocation.enabled", false);
    String fix = dynamic
        ? "dynamic allocation is on but executors stayed: lower spark.dynamicAllocation.executorIdleTimeout (now "
            + ctx.spark().shown("spark.dynamicAllocation.executorIdleTimeout", "60s")
            + ") and spark.dynamicAllocation.minExecutors; executors holding shuffle data or cached blocks "
            + "are kept until spark.dynamicAllocation.shuffleTracking.timeout and "
            + "spark.dynamicAllocation.cachedExecutorIdleTimeout (both unbounded by default); and look for "
            + "driver-side work between jobs"
        : "spark.dynamicAllocation.enabled=true releases idle executors (shuffle tracking is on by default "
            + "since Spark 3.4); or request fewer (spark.executor.instances), and look for driver-side "
            + "work between jobs (collect, local loops, sleeps)";
    ctx.report(ctx.finding(Scope.application())
        .message("tasks used " + Units.coreTime(used) + " of " + Units.coreTime(held)
            + " executor core time held (" + Units.percent(used / (double) held) + ") over "
            + Units.duration(duration) + ", with up to " + app.executors().peakExecutors()
            + (app.executors().peakExecutors() == 1 ? " executor" : " executors"))
        .cost(idle, "~" + Units.coreTime(idle) + " of executor cores idle")
        .fix(fix)
        .evidence("usedCoreMs", used)
        .evidence("heldCoreMs", held)
        .evidence("usedRatio", used / (double) held)
        .evidence("appDurationMs", duration)
        .evidence("peakExecutors", app.executors().peakExecutors())
        .build());
  }
}
