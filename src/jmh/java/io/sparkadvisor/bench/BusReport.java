package io.sparkadvisor.bench;

import static io.sparkadvisor.bench.ListenerBusBenchmark.ADVISOR;
import static io.sparkadvisor.bench.ListenerBusBenchmark.ADVISOR_THREAD;
import static io.sparkadvisor.bench.ListenerBusBenchmark.APP_STATUS;
import static io.sparkadvisor.bench.ListenerBusBenchmark.CPU_TIME;
import static io.sparkadvisor.bench.ListenerBusBenchmark.DROPPED;
import static io.sparkadvisor.bench.ListenerBusBenchmark.NOOP;
import static io.sparkadvisor.bench.ListenerBusBenchmark.PROCESSED;
import static io.sparkadvisor.bench.ListenerBusBenchmark.SHARED_THREAD;
import static io.sparkadvisor.bench.ListenerBusBenchmark.SPARKMEASURE_STAGES;
import static io.sparkadvisor.bench.ListenerBusBenchmark.SPARKMEASURE_TASKS;
import static io.sparkadvisor.bench.ListenerBusBenchmark.STATUS_THREAD;

import io.sparkadvisor.bench.BusRun.ListenerTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** The Markdown report of {@link ListenerBusBenchmark}: targets first, then the figures behind them. */
final class BusReport {
  private BusReport() {}

  /** The listeners the report compares, in this order; any other timed listener follows. */
  private static final List<String> KEY_LISTENERS =
      List.of(ADVISOR, APP_STATUS, NOOP, SPARKMEASURE_TASKS, SPARKMEASURE_STAGES);

  static String markdown(List<BusRun> runs, int pairs, boolean sparkMeasure, double seconds) {
    List<BusRun> b = runs.stream().filter(BusRun::advisor).toList();
    List<BusRun> a = runs.stream().filter(r -> !r.advisor()).toList();
    StringBuilder out = new StringBuilder();
    line(out, "# Listener bus benchmark: what users' jobs see");
    line(out, "");
    line(out, "%s. Spark %s (Scala %s), %s %s, %d cores (%s). %d measured pairs after 1 warm-up pair; "
            + "the whole benchmark took %.0f s.",
        LocalDate.now(), b.isEmpty() ? "?" : b.get(0).sparkVersion(), scala.util.Properties.versionNumberString(),
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        Runtime.getRuntime().availableProcessors(), cpuModel(), pairs, seconds);
    line(out, "");
    line(out, "Each run: a fresh `local[2]` session; %d RDD jobs of %,d tiny tasks, then %d SQL queries joining "
            + "two aggregates (AQE on); %s events posted per run (median). Run A has no advisor, run B has "
            + "`spark.extraListeners=...,%s`; both carry `%s` (a listener that overrides nothing)%s. Pairs "
            + "alternate which run goes first.",
        ListenerBusBenchmark.RDD_JOBS, ListenerBusBenchmark.TASKS_PER_RDD_JOB, ListenerBusBenchmark.SQL_QUERIES,
        count(median(runs, r -> r.eventsPosted())), ADVISOR, NOOP,
        sparkMeasure ? " and sparkMeasure's `FlightRecorderTaskMetrics` and `FlightRecorderStageMetrics`"
            : "; sparkMeasure is not on this line's classpath");
    line(out, "");
    line(out, "Per-event cost is Spark's own per-listener timer (`LiveListenerBusMetrics.getTimerForListenerClass`, "
        + "a Dropwizard timer around each call, so it includes the timer's own overhead, which the no-op shows): "
        + "count exact, mean and p99 from its sampling reservoir (about 1,028 events, exponentially decaying). "
        + "Read after `listenerBus().waitUntilEmpty()`, before the context stops.");
    line(out, "");

    line(out, "## Targets (median over measured B runs)");
    line(out, "");
    line(out, "| Target | Goal | Measured | |");
    line(out, "|---|---|---|---|");
    double vsStatus = median(b, r -> ratio(r, ADVISOR, APP_STATUS));
    target(out, "Advisor / AppStatusListener, mean µs per event", "≤ 0.1", fixed(vsStatus, 3),
        vsStatus <= 0.1);
    double vsNoop = median(b, r -> ratio(r, ADVISOR, NOOP));
    target(out, "Advisor / no-op listener, mean µs per event", "≤ 3", fixed(vsNoop, 2), vsNoop <= 3);
    if (sparkMeasure) {
      double vsTasks = median(b, r -> ratio(r, ADVISOR, SPARKMEASURE_TASKS));
      target(out, "Advisor / sparkMeasure FlightRecorderTaskMetrics, mean µs per event", "< 1",
          fixed(vsTasks, 2), vsTasks < 1);
    } else {
      line(out, "| Advisor / sparkMeasure FlightRecorderTaskMetrics | < 1 | n/a: not on this line's classpath | – |");
    }
    long sparkDropped = b.stream().mapToLong(BusRun::sparkDropped).sum();
    long advisorDropped = (long) b.stream().mapToDouble(r -> r.advisorMeters().getOrDefault(DROPPED, 0.0)).sum();
    target(out, "Dropped events, all B runs (Spark's queues + the advisor's own queue)", "0",
        String.format(Locale.ROOT, "%d + %d", sparkDropped, advisorDropped), sparkDropped + advisorDropped == 0);
    double wall = medianOfPairs(runs);
    target(out, "Job wall time B / A (per pair, median)", "≤ 1.02", fixed(wall, 3), wall <= 1.02);
    double cpuShare = median(b, BusReport::advisorCpuShare);
    target(out, "Advisor thread CPU / job's task time", "≤ 1 %", fixed(cpuShare * 100, 2) + " %",
        cpuShare <= 0.01);
    double idle = median(b, r -> r.idleCpuNanos() / 1e6 / ListenerBusBenchmark.IDLE_SECONDS);
    line(out, "| Advisor thread CPU while the application idles (%d s after the work), ms per s | – | %s | |",
        ListenerBusBenchmark.IDLE_SECONDS, fixed(idle, 2));
    line(out, "");

    line(out, "## Spark's per-listener timers, median over runs");
    line(out, "");
    line(out, "| Listener | events (B) | mean µs (B) | p99 µs (B) | mean µs (A) | p99 µs (A) |");
    line(out, "|---|---:|---:|---:|---:|---:|");
    for (String cls : listenerOrder(runs)) {
      line(out, "| %s | %s | %s | %s | %s | %s |", shortName(cls),
          count(median(b, r -> time(r, cls).map(t -> (double) t.count()).orElse(Double.NaN))),
          fixed(median(b, r -> time(r, cls).map(ListenerTime::meanMicros).orElse(Double.NaN)), 2),
          fixed(median(b, r -> time(r, cls).map(ListenerTime::p99Micros).orElse(Double.NaN)), 2),
          fixed(median(a, r -> time(r, cls).map(ListenerTime::meanMicros).orElse(Double.NaN)), 2),
          fixed(median(a, r -> time(r, cls).map(ListenerTime::p99Micros).orElse(Double.NaN)), 2));
    }
    line(out, "");

    line(out, "## Each measured B run");
    line(out, "");
    List<String> compared = KEY_LISTENERS.stream().filter(c -> b.stream().anyMatch(r -> r.listener(c) != null))
        .toList();
    StringBuilder head = new StringBuilder("| Pair |");
    StringBuilder rule = new StringBuilder("|---:|");
    for (String cls : compared) {
      head.append(' ').append(shortName(cls)).append(": events, mean / p99 µs |");
      rule.append("---:|");
    }
    head.append(" advisor / AppStatus | advisor / no-op |");
    rule.append("---:|---:|");
    if (sparkMeasure) {
      head.append(" advisor / sparkMeasure tasks |");
      rule.append("---:|");
    }
    line(out, "%s", head);
    line(out, "%s", rule);
    for (BusRun r : b) {
      StringBuilder row = new StringBuilder("| " + r.pair() + " |");
      for (String cls : compared) {
        ListenerTime t = r.listener(cls);
        row.append(t == null ? " – |" : String.format(Locale.ROOT, " %,d, %.2f / %.2f |", t.count(),
            t.meanMicros(), t.p99Micros()));
      }
      row.append(' ').append(fixed(ratio(r, ADVISOR, APP_STATUS), 3)).append(" | ")
          .append(fixed(ratio(r, ADVISOR, NOOP), 2)).append(" |");
      if (sparkMeasure) {
        row.append(' ').append(fixed(ratio(r, ADVISOR, SPARKMEASURE_TASKS), 2)).append(" |");
      }
      line(out, "%s", row);
    }
    line(out, "");

    line(out, "## Job wall time (the actions only; session start and stop excluded)");
    line(out, "");
    line(out, "| Pair | first | A s | B s | B / A | A drain ms | B drain ms | A events | B events |");
    line(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for (int pair = 1; pair <= pairs; pair++) {
      BusRun ra = find(runs, pair, false);
      BusRun rb = find(runs, pair, true);
      if (ra == null || rb == null) {
        continue;
      }
      line(out, "| %d | %s | %.2f | %.2f | %.3f | %.0f | %.0f | %,d | %,d |", pair, pair % 2 == 1 ? "B" : "A",
          ra.workNanos() / 1e9, rb.workNanos() / 1e9, (double) rb.workNanos() / ra.workNanos(),
          ra.drainNanos() / 1e6, rb.drainNanos() / 1e6, ra.eventsPosted(), rb.eventsPosted());
    }
    line(out, "| median | | | | %s | | | | |", fixed(wall, 3));
    line(out, "");
    line(out, "Drain: from the last action's return until Spark's queues were empty.");
    line(out, "");

    line(out, "## CPU (during the work and the drain)");
    line(out, "");
    line(out, "Task time is the Executors page's \"Task Time\" (`ExecutorSummary.totalDuration`: tasks' launch to "
        + "finish, summed), available alike on Spark 3.5 and 4.x; the stages' summed executorRunTime and "
        + "executorCpuTime are shown beside it.");
    line(out, "");
    line(out, "| Pair | run | tasks | task time ms | executorRunTime ms | executorCpuTime ms | advisor thread CPU ms "
        + "| advisor / task time | shared-queue thread CPU ms | appStatus-queue thread CPU ms |");
    line(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (BusRun r : runs) {
      line(out, "| %d | %s | %,d | %,d | %,d | %,.0f | %s | %s | %s | %s |", r.pair(), r.advisor() ? "B" : "A",
          r.tasks(), r.taskMillis(), r.runMillis(), r.cpuNanos() / 1e6, millis(r.cpu(ADVISOR_THREAD)),
          r.advisor() ? fixed(advisorCpuShare(r) * 100, 2) + " %" : "–", millis(r.cpu(SHARED_THREAD)),
          millis(r.cpu(STATUS_THREAD)));
    }
    line(out, "");
    line(out, "Spark's timers measure wall time on its dispatch thread, time that thread was descheduled "
        + "included (2 cores shared by 2 task threads, Spark's queue threads and the advisor's). The CPU the "
        + "shared queue's thread spent more in B than in A, per event, is what the advisor's callbacks cost "
        + "there in CPU (noisy: a difference of two runs):");
    line(out, "");
    line(out, "| Pair | shared-queue thread CPU A ms | B ms | (B − A) / B's events, µs |");
    line(out, "|---:|---:|---:|---:|");
    List<Double> perEvent = new ArrayList<>();
    for (int pair = 1; pair <= pairs; pair++) {
      BusRun ra = find(runs, pair, false);
      BusRun rb = find(runs, pair, true);
      if (ra == null || rb == null || ra.cpu(SHARED_THREAD) < 0 || rb.cpu(SHARED_THREAD) < 0) {
        continue;
      }
      double micros = (rb.cpu(SHARED_THREAD) - ra.cpu(SHARED_THREAD)) / 1e3 / rb.eventsPosted();
      perEvent.add(micros);
      line(out, "| %d | %s | %s | %.2f |", pair, millis(ra.cpu(SHARED_THREAD)), millis(rb.cpu(SHARED_THREAD)),
          micros);
    }
    line(out, "| median | | | %s |", fixed(median(perEvent), 2));
    line(out, "");

    line(out, "## Dropped events and the advisor's own meters");
    line(out, "");
    Set<String> queues = new LinkedHashSet<>();
    runs.forEach(r -> queues.addAll(r.dropped().keySet()));
    StringBuilder dh = new StringBuilder("| Pair | run |");
    StringBuilder dr = new StringBuilder("|---:|---|");
    for (String q : queues) {
      dh.append(" Spark `").append(q).append("` dropped |");
      dr.append("---:|");
    }
    dh.append(" advisor processed | advisor dropped | advisor `").append(CPU_TIME).append("` s |");
    dr.append("---:|---:|---:|");
    line(out, "%s", dh);
    line(out, "%s", dr);
    for (BusRun r : runs) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %s |", r.pair(),
          r.advisor() ? "B" : "A"));
      for (String q : queues) {
        row.append(' ').append(r.dropped().getOrDefault(q, 0L)).append(" |");
      }
      row.append(' ').append(meter(r, PROCESSED, "%,.0f")).append(" | ").append(meter(r, DROPPED, "%,.0f"))
          .append(" | ").append(meter(r, CPU_TIME, "%.3f")).append(" |");
      line(out, "%s", row);
    }
    line(out, "");
    line(out, "`%s` is printed when the advisor has that meter; \"–\" where it has not.", CPU_TIME);
    return out.toString();
  }

  private static double advisorCpuShare(BusRun r) {
    long cpu = r.cpu(ADVISOR_THREAD);
    return cpu < 0 || r.taskMillis() <= 0 ? Double.NaN : cpu / (r.taskMillis() * 1e6);
  }

  private static double ratio(BusRun r, String over, String under) {
    ListenerTime o = r.listener(over);
    ListenerTime u = r.listener(under);
    return o == null || u == null || u.meanMicros() <= 0 ? Double.NaN : o.meanMicros() / u.meanMicros();
  }

  private static Optional<ListenerTime> time(BusRun r, String cls) {
    return Optional.ofNullable(r.listener(cls));
  }

  private static List<String> listenerOrder(List<BusRun> runs) {
    Set<String> order = new LinkedHashSet<>();
    for (String cls : KEY_LISTENERS) {
      if (runs.stream().anyMatch(r -> r.listener(cls) != null)) {
        order.add(cls);
      }
    }
    runs.forEach(r -> order.addAll(r.listeners().keySet()));
    return new ArrayList<>(order);
  }

  private static BusRun find(List<BusRun> runs, int pair, boolean advisor) {
    return runs.stream().filter(r -> r.pair() == pair && r.advisor() == advisor).findFirst().orElse(null);
  }

  private static double medianOfPairs(List<BusRun> runs) {
    List<Double> ratios = new ArrayList<>();
    for (BusRun rb : runs) {
      BusRun ra = rb.advisor() ? find(runs, rb.pair(), false) : null;
      if (ra != null) {
        ratios.add((double) rb.workNanos() / ra.workNanos());
      }
    }
    return median(ratios);
  }

  private static double median(Collection<BusRun> runs, ToDoubleFunction<BusRun> f) {
    return median(runs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  /** The median of the values that are numbers; NaN when there are none. */
  static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static void target(StringBuilder out, String what, String goal, String measured, boolean pass) {
    line(out, "| %s | %s | %s | **%s** |", what, goal, measured, pass ? "PASS" : "FAIL");
  }

  private static String meter(BusRun r, String name, String format) {
    Double v = r.advisorMeters().get(name);
    return v == null ? "–" : String.format(Locale.ROOT, format, v);
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "–" : String.format(Locale.ROOT, "%,.0f", nanos / 1e6);
  }

  private static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String count(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String shortName(String cls) {
    return cls.substring(cls.lastIndexOf('.') + 1);
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable
    }
    return System.getProperty("os.arch");
  }
}
