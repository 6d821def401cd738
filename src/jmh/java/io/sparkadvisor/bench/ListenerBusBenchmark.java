package io.sparkadvisor.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sparkadvisor.SparkAdvisorListener;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerInterface;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The listener bus as users' jobs see it: a real local job ({@code local[2]}; 10 RDD jobs of
 * 1,000 tiny tasks, then 20 SQL queries joining two aggregates, about 21,000 events) run in
 * interleaved pairs, A without the advisor and B with it. Both carry a no-op listener of the
 * benchmark's own and, where its classes are on the classpath (the Spark 3.5 line), CERN
 * sparkMeasure's flight recorders, so A and B differ by the advisor only.
 *
 * <p>Cost per event comes from Spark's own per-listener timers (the ones each queue times its
 * listeners' calls with), read after the bus drained and before the context stops. Also: wall
 * time of the job's actions (B/A per pair), Spark's and the advisor's dropped events, and the CPU
 * of the advisor's thread against the job's task time. The report goes to stdout and to
 * {@code target/listener-bus-benchmark.md}.
 *
 * <p>System properties: {@code bench.pairs} (measured pairs, default 3; one warm-up pair runs
 * first), {@code bench.out} (report directory, default {@code target}). Uses only public API of the
 * advisor ({@code SparkAdvisorListener.meterRegistry()} and its meters, looked up by name), so it
 * can be re-run on another version of it.
 */
public final class ListenerBusBenchmark {
  static final String ADVISOR = "io.sparkadvisor.SparkAdvisorListener";
  static final String APP_STATUS = "org.apache.spark.status.AppStatusListener";
  static final String NOOP = NoopListener.class.getName();
  static final String SPARKMEASURE_TASKS = "ch.cern.sparkmeasure.FlightRecorderTaskMetrics";
  static final String SPARKMEASURE_STAGES = "ch.cern.sparkmeasure.FlightRecorderStageMetrics";

  /** The advisor's thread, and Spark's dispatch threads of the queues the listeners are on. */
  static final String ADVISOR_THREAD = "spark-advisor";
  static final String SHARED_THREAD = "spark-listener-group-shared";
  static final String STATUS_THREAD = "spark-listener-group-appStatus";

  static final String QUEUE_DEPTH = "spark.advisor.queue.depth";
  static final String PROCESSED = "spark.advisor.events.processed";
  static final String DROPPED = "spark.advisor.events.dropped";
  static final String CPU_TIME = "spark.advisor.cpu.time";

  static final int RDD_JOBS = 10;
  static final int TASKS_PER_RDD_JOB = 1_000;
  static final int SQL_QUERIES = 20;
  static final int IDLE_SECONDS = 3;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ListenerBusBenchmark() {}

  public static void main(String[] args) throws Exception {
    int pairs = Integer.getInteger("bench.pairs", 3);
    Path out = Path.of(System.getProperty("bench.out", "target"));
    Files.createDirectories(out);
    boolean sparkMeasure = onClasspath(SPARKMEASURE_TASKS);
    List<BusRun> runs = new ArrayList<>();
    long started = System.nanoTime();
    for (int pair = 0; pair <= pairs; pair++) {
      // Odd pairs run B first, so neither run is always the one that follows the other.
      boolean advisorFirst = pair % 2 == 1;
      for (boolean advisor : new boolean[] {advisorFirst, !advisorFirst}) {
        BusRun run = run(pair, advisor, sparkMeasure, out);
        System.out.printf("listener-bus: %s pair %d, run %s: work %.2f s, %,d events, advisor thread CPU %s%n",
            pair == 0 ? "warm-up" : "measured", pair, advisor ? "B (advisor)" : "A", run.workNanos() / 1e9,
            run.eventsPosted(), run.cpu(ADVISOR_THREAD) < 0 ? "-" : run.cpu(ADVISOR_THREAD) / 1_000_000 + " ms");
        if (pair > 0) {
          runs.add(run);
        }
      }
    }
    String report = BusReport.markdown(runs, pairs, sparkMeasure, (System.nanoTime() - started) / 1e9);
    System.out.println();
    System.out.println(report);
    Path file = out.resolve("listener-bus-benchmark.md");
    Files.writeString(file, report);
    System.out.println("listener-bus: report written to " + file);
  }

  /** One run on a fresh session: the work, the drain, then the figures, then stop. */
  private static BusRun run(int pair, boolean advisor, boolean sparkMeasure, Path out) throws Exception {
    System.gc();
    String name = "listener-bus-" + (advisor ? "B" : "A") + "-" + pair;
    SparkSession spark = session(name, advisor, sparkMeasure, out);
    try {
      SparkContext sc = spark.sparkContext();
      Map<String, Long> cpuBefore = threadCpu();
      long start = System.nanoTime();
      work(spark);
      long work = System.nanoTime() - start;
      sc.listenerBus().waitUntilEmpty(120_000);
      long drain = System.nanoTime() - start - work;
      MeterRegistry registry = advisor ? advisorRegistry(sc) : null;
      if (registry != null) {
        awaitAdvisorQueue(registry);
      }
      Map<String, Long> cpuAfter = threadCpu();
      Map<String, Long> cpu = new LinkedHashMap<>();
      cpuAfter.forEach((thread, after) -> cpu.put(thread, after - cpuBefore.getOrDefault(thread, 0L)));
      BusRun run = BusRun.read(spark.version(), pair, advisor, work, drain, sc, registry, cpu,
          List.of(PROCESSED, DROPPED, CPU_TIME));
      if (!advisor) {
        return run;
      }
      // The application idles: what the advisor's thread costs while nothing happens.
      long idleBefore = threadCpu().getOrDefault(ADVISOR_THREAD, 0L);
      Thread.sleep(IDLE_SECONDS * 1_000L);
      return run.withIdleCpu(threadCpu().getOrDefault(ADVISOR_THREAD, 0L) - idleBefore);
    } finally {
      spark.stop();
      SparkSession.clearActiveSession();
      SparkSession.clearDefaultSession();
    }
  }

  /**
   * A session as a user starts it, with the advisor attached by configuration only. Spark's UI is
   * off (no port to bind per run); AppStatusListener, which backs the UI and the REST API, is
   * registered by SparkContext whether or not the UI runs.
   */
  private static SparkSession session(String name, boolean advisor, boolean sparkMeasure, Path out) {
    List<String> listeners = new ArrayList<>(List.of(NOOP));
    if (sparkMeasure) {
      listeners.add(SPARKMEASURE_TASKS);
      listeners.add(SPARKMEASURE_STAGES);
    }
    if (advisor) {
      listeners.add(ADVISOR);
    }
    Path warehouse = out.resolve("listener-bus-warehouse").toAbsolutePath();
    return SparkSession.builder()
        .master("local[2]")
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.warehouse.dir", warehouse.toString())
        .config("spark.extraListeners", String.join(",", listeners))
        // Both recorders write at application end, after the figures are read; to one file (they
        // share the setting), which the later of the two overwrites.
        .config("spark.sparkmeasure.outputFormat", "json")
        .config("spark.sparkmeasure.outputFilename",
            out.resolve("listener-bus-sparkmeasure-" + name + ".json").toAbsolutePath().toString())
        // The advisor's application-end summary goes to the log after the figures are read; off,
        // so the benchmark's output stays readable. Everything else is the advisor's default.
        .config("spark.advisor.summary.enabled", "false")
        .getOrCreate();
  }

  /**
   * The job: 10 RDD jobs of 1,000 tiny tasks (20,000 task events), then 20 SQL queries that join
   * two aggregates (shuffles, adaptive execution, SQL events with plans: a few stages each).
   */
  static void work(SparkSession spark) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> numbers = IntStream.range(0, 100 * TASKS_PER_RDD_JOB).boxed().collect(Collectors.toList());
    for (int job = 0; job < RDD_JOBS; job++) {
      JavaRDD<Integer> rdd = jsc.parallelize(numbers, TASKS_PER_RDD_JOB);
      rdd.map(x -> x * 2 + 1).filter(x -> x % 3 != 0).count();
    }
    for (int q = 0; q < SQL_QUERIES; q++) {
      Dataset<Row> sales = spark.range(0, 200_000, 1, 4)
          .withColumn("k", col("id").mod(1_000 + q))
          .groupBy("k").agg(sum("id").as("total"));
      Dataset<Row> counts = spark.range(0, 50_000, 1, 2)
          .withColumn("k", col("id").mod(500))
          .groupBy("k").count();
      sales.join(counts, "k").count();
    }
  }

  private static MeterRegistry advisorRegistry(SparkContext sc) {
    for (SparkListenerInterface l : sc.listenerBus().listeners()) {
      if (l instanceof SparkAdvisorListener advisor) {
        return advisor.meterRegistry();
      }
    }
    throw new IllegalStateException("run B has no SparkAdvisorListener on the bus; did it fail to start?");
  }

  /**
   * Spark's bus is empty; the advisor's own queue may still hold events its thread has not taken.
   * Waits (at most 30 s) for its depth gauge to read 0, or, without that gauge, for its processed
   * count to stop moving, so its thread's CPU covers all the work.
   */
  private static void awaitAdvisorQueue(MeterRegistry registry) throws InterruptedException {
    Gauge depth = registry.find(QUEUE_DEPTH).gauge();
    long deadline = System.nanoTime() + 30_000_000_000L;
    double last = -1;
    while (System.nanoTime() < deadline) {
      if (depth != null) {
        if (depth.value() == 0) { // taken; the last one may still be in the works
          var processed = registry.find(PROCESSED).functionCounter();
          double before = processed == null ? 0 : processed.count();
          Thread.sleep(50);
          if (processed == null || processed.count() == before) {
            return;
          }
        }
      } else {
        var processed = registry.find(PROCESSED).functionCounter();
        double now = processed == null ? 0 : processed.count();
        if (now == last) {
          return;
        }
        last = now;
        Thread.sleep(200);
        continue;
      }
      Thread.sleep(10);
    }
  }

  /** CPU time so far of the threads the report names, summed per name over live threads. */
  private static Map<String, Long> threadCpu() {
    Map<String, Long> cpu = new LinkedHashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.equals(ADVISOR_THREAD) || name.equals(SHARED_THREAD) || name.equals(STATUS_THREAD)) {
        long nanos = THREADS.getThreadCpuTime(t.getId());
        if (nanos >= 0) {
          cpu.merge(name, nanos, Long::sum);
        }
      }
    }
    return cpu;
  }

  private static boolean onClasspath(String className) {
    try {
      Class.forName(className, false, ListenerBusBenchmark.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
