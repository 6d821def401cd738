package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sparkadvisor.AdvisorAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The meters after real local jobs, read from the advisor's in-memory SimpleMeterRegistry: each
 * meter's name, tags, unit and value, checked against a plain listener of the test's own that
 * tallies the same Spark events ({@link SparkEventTally}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkMetersEndToEndTest {
  private SparkSession spark;
  private SparkEventTally tally;
  private SimpleMeterRegistry meters;
  private LogCapture log;

  @BeforeAll
  void runJobs() throws Exception {
    log = LogCapture.attach();
    spark = Sessions.start("meters-e2e", Map.of(
        "spark.shuffle.spill.numElementsForceSpillThreshold", "20000",
        "spark.sql.autoBroadcastJoinThreshold", "10MB"));
    tally = SparkEventTally.attach(spark);
    meters = AdvisorAccess.metrics().memoryRegistry();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());

    // Shuffle with spill.
    assertThat(Workloads.sortRandomRecords(sc, 200_000)).isEqualTo(200_000L);
    // A task that fails once and succeeds on retry; a job whose task fails every attempt.
    assertThat(sc.parallelize(Workloads.range(4), 4).map(i -> {
      if (i == 2 && org.apache.spark.TaskContext.get().attemptNumber() == 0) {
        throw new IllegalStateException("flaky once");
      }
      return i;
    }).count()).isEqualTo(4L);
    assertThatThrownBy(() -> sc.parallelize(Workloads.range(2), 2).map(i -> {
      if (i == 1) {
        throw new IllegalStateException("always fails");
      }
      return i;
    }).count()).hasMessageContaining("always fails");
    // Files written and read back: output and input bytes.
    Path dir = Files.createTempDirectory("meters-e2e").resolve("t");
    spark.range(0, 50_000).selectExpr("id", "id % 100 AS k").write().parquet(dir.toString());
    assertThat(spark.read().parquet(dir.toString()).count()).isEqualTo(50_000L);
    // One broadcast hash join and one sort-merge join.
    Dataset<Row> big = spark.range(0, 20_000).selectExpr("id", "id % 50 AS k");
    Dataset<Row> small = spark.range(0, 50).selectExpr("id AS k", "id * 2 AS v");
    assertThat(big.join(functions.broadcast(small), "k").count()).isEqualTo(20_000L);
    assertThat(big.hint("merge").join(small, "k").count()).isEqualTo(20_000L);
    // A SQL execution that fails while running.
    assertThatThrownBy(() -> spark.sql("SELECT assert_true(id < 0) FROM range(3)").collect())
        .hasMessageContaining("is not true");

    SparkEventTally.drain(spark);
    await(() -> counter("spark.tasks.completed").count() == tally.tasksSucceeded.get()
        && counter("spark.tasks.failed").count() == tally.tasksFailed.get()
        && timer("spark.sql.query.duration", "outcome", "failure").count() == tally.queriesFailed.get());
  }

  @AfterAll
  void stop() {
    Sessions.stop(spark);
    log.detach();
  }

  @Test
  void taskCountsAndDurationsAgreeWithSparksOwnEvents() {
    assertThat(tally.tasksSucceeded.get()).isGreaterThan(10);
    assertThat(counter("spark.tasks.completed").count()).isEqualTo(tally.tasksSucceeded.get());
    // 1 flaky attempt, 3 of the failing task, and the failing SQL query's attempts
    assertThat(tally.tasksFailed.get()).isGreaterThanOrEqualTo(4);
    assertThat(counter("spark.tasks.failed").count()).isEqualTo(tally.tasksFailed.get());
    assertThat(counter("spark.tasks.killed").count()).isEqualTo(tally.tasksKilled.get());

    Timer tasks = timer("spark.task.duration");
    assertThat(tasks.count()).isEqualTo(tally.tasksSucceeded.get() + tally.tasksFailed.get()
        + tally.tasksKilled.get());
    assertThat(tasks.totalTime(TimeUnit.SECONDS)).isCloseTo(tally.taskSeconds.sum(), within(1e-6));
    assertThat(tasks.getId().getBaseUnit()).isEqualTo("seconds");
    assertThat(tasks.max(TimeUnit.SECONDS)).isPositive(); // buckets: PrometheusEndToEndTest

    assertThat(counter("spark.task.gc.time").count()).isCloseTo(tally.gcMs.get() / 1e3, within(1e-6));
    assertThat(counter("spark.task.gc.time").getId().getBaseUnit()).isEqualTo("seconds");
    assertThat(counter("spark.task.run.time").count()).isCloseTo(tally.runMs.get() / 1e3, within(1e-6));
  }

  @Test
  void spillShuffleAndIoBytesAgreeWithSparksOwnEvents() {
    assertThat(tally.diskSpill.get()).as("the sort spilled").isPositive();
    assertBytes("spark.task.spill.disk", tally.diskSpill.get());
    assertBytes("spark.task.spill.memory", tally.memorySpill.get());
    assertThat(tally.shuffleRead.get()).isPositive();
    assertBytes("spark.shuffle.read", tally.shuffleRead.get());
    assertBytes("spark.shuffle.write", tally.shuffleWrite.get());
    assertThat(tally.inputBytes.get()).isPositive();
    assertBytes("spark.task.input", tally.inputBytes.get());
    assertThat(tally.outputBytes.get()).isPositive();
    assertBytes("spark.task.output", tally.outputBytes.get());
  }

  @Test
  void stagesAndQueriesAreTimedByOutcome() {
    Timer ok = timer("spark.stage.duration", "outcome", "success");
    Timer failed = timer("spark.stage.duration", "outcome", "failure");
    assertThat(ok.count()).isEqualTo(tally.stagesSucceeded.get()).isGreaterThan(5);
    assertThat(failed.count()).isEqualTo(tally.stagesFailed.get()).isEqualTo(2); // the RDD job, the SQL query
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isPositive();

    Timer queries = timer("spark.sql.query.duration", "outcome", "success");
    assertThat(queries.count()).isEqualTo(tally.queriesSucceeded.get()).isGreaterThanOrEqualTo(4);
    assertThat(timer("spark.sql.query.duration", "outcome", "failure").count())
        .isEqualTo(tally.queriesFailed.get()).isEqualTo(1);
    assertThat(queries.getId().getBaseUnit()).isEqualTo("seconds");
  }

  @Test
  void joinsAreCountedByStrategy() {
    assertThat(meters.get("spark.sql.joins").tag("strategy", "broadcast_hash").counter().count()).isEqualTo(1);
    assertThat(meters.get("spark.sql.joins").tag("strategy", "sort_merge").counter().count()).isEqualTo(1);
    assertThat(meters.find("spark.sql.joins").tag("strategy", "cartesian").counter()).isNull();
  }

  @Test
  void executorsAndNothingLeftRunning() {
    assertThat(gauge("spark.executors.active").value()).isEqualTo(1); // local mode: the driver
    assertThat(gauge("spark.executors.cores").value()).isEqualTo(2); // local[2,3]
    assertThat(gauge("spark.tasks.active").value()).isZero();
    assertThat(gauge("spark.stages.active").value()).isZero();
    assertThat(gauge("spark.jobs.active").value()).isZero();
    assertThat(gauge("spark.sql.queries.active").value()).isZero();
  }

  @Test
  void findingsAndTheAdvisorsHealthAreMetered() throws Exception {
    log.awaitFinding("TaskFailures", "always fails");
    await(() -> meters.find("spark.advisor.findings").tags("rule", "TaskFailures", "severity", "WARN")
        .counter() != null);
    assertThat(meters.get("spark.advisor.findings").tags("rule", "TaskFailures", "severity", "WARN")
        .counter().count()).isGreaterThanOrEqualTo(1);
    assertThat(meters.get("spark.advisor.events.processed").functionCounter().count())
        .isGreaterThan(tally.tasksSucceeded.get());
    assertThat(meters.get("spark.advisor.events.dropped").functionCounter().count()).isZero();
    // Every event posted so far has been processed: the queue the gauge reads is empty.
    SparkEventTally.drain(spark);
    await(() -> meters.get("spark.advisor.queue.depth").gauge().value() == 0);
    assertThat(meters.get("spark.advisor.events.processed").functionCounter().count())
        .isGreaterThanOrEqualTo(tally.tasksSucceeded.get() + tally.tasksFailed.get());
    assertThat(meters.get("spark.advisor.evaluation.lag").gauge().getId().getBaseUnit()).isEqualTo("seconds");
  }

  @Test
  void everyMeterCarriesTheApplicationsNameAndIdAndNoHighCardinalityTag() {
    String appId = spark.sparkContext().applicationId();
    List<Meter> all = meters.getMeters();
    assertThat(all).hasSizeGreaterThan(25);
    for (Meter m : all) {
      assertThat(m.getId().getTag("app.name")).as(m.getId().getName()).isEqualTo("meters-e2e");
      assertThat(m.getId().getTag("app.id")).as(m.getId().getName()).isEqualTo(appId);
      assertThat(m.getId().getName()).matches("[a-z]+(\\.[a-z]+)+");
      for (var tag : m.getId().getTags()) {
        assertThat(tag.getKey()).isIn("app.name", "app.id", "outcome", "strategy", "rule", "severity",
            "query", "registry");
      }
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // its tasks would move the batch jobs' totals under the other tests
  void aStreamingQueryIsMeteredUnderItsNameUntilItStops() throws Exception {
    // A few state partitions: with the default 200 the first stateful batch alone took over 30 s on
    // a busy 2-core machine. The meters do not depend on the partition count.
    spark.conf().set("spark.sql.shuffle.partitions", "4");
    StreamingQuery q = spark.readStream().format("rate").option("rowsPerSecond", "200").load()
        .groupBy(functions.col("value").mod(10).as("bucket")).count()
        .writeStream().format("memory").queryName("meters_rate").outputMode("complete")
        .trigger(Trigger.ProcessingTime(Duration.ofMillis(500).toMillis())).start();
    try {
      await(() -> q.recentProgress().length >= 3 && q.lastProgress().numInputRows() > 0);
      await(() -> {
        Gauge rows = meters.find("spark.streaming.state.rows").tag("query", "meters_rate").gauge();
        return rows != null && rows.value() == 10;
      });
      assertThat(meters.get("spark.streaming.state.rows").tag("query", "meters_rate").gauge().getId()
          .getBaseUnit()).isEqualTo("rows");
      assertThat(meters.get("spark.streaming.state.memory").tag("query", "meters_rate").gauge().value())
          .isPositive();
      assertThat(meters.get("spark.streaming.queries.active").gauge().value()).isEqualTo(1);
      Timer batches = meters.get("spark.streaming.batch.duration").tag("query", "meters_rate").timer();
      assertThat(batches.count()).isGreaterThanOrEqualTo(2);
      assertThat(meters.get("spark.streaming.input.rows").tag("query", "meters_rate").counter().count())
          .isPositive();
      assertThat(meters.find("spark.streaming.processed.rate").tag("query", "meters_rate").gauge())
          .isNotNull();
      assertThat(meters.find("spark.streaming.input.rate").tag("query", "meters_rate").gauge()).isNotNull();

      // The advisor's own thread has done work by now: its CPU time is counted, in seconds.
      FunctionCounter cpu = meters.get("spark.advisor.cpu.time").functionCounter();
      assertThat(cpu.getId().getBaseUnit()).isEqualTo("seconds");
      assertThat(cpu.count()).isPositive();

      // Now that every kind of meter exists: docs/metrics.md lists each, and nothing else.
      java.util.Set<String> names = new java.util.TreeSet<>();
      meters.getMeters().forEach(m -> names.add(m.getId().getName()));
      Map<String, String> documented = MetricsDoc.catalog();
      assertThat(documented.keySet()).containsAll(names);
      java.util.Set<String> notSeenHere = new java.util.TreeSet<>(documented.keySet());
      notSeenHere.removeAll(names);
      assertThat(notSeenHere).as("documented, not registered by these jobs")
          .containsExactly("spark.advisor.metrics.export.failures", "spark.streaming.kafka.offsets.behind");
    } finally {
      q.stop();
    }
    await(() -> meters.find("spark.streaming.state.rows").tag("query", "meters_rate").gauge() == null);
    assertThat(meters.get("spark.streaming.queries.active").gauge().value()).isZero();
  }

  private Counter counter(String name) {
    return meters.get(name).counter();
  }

  private Gauge gauge(String name) {
    return meters.get(name).gauge();
  }

  private Timer timer(String name, String... tags) {
    return meters.get(name).tags(tags).timer();
  }

  private void assertBytes(String name, long expected) {
    Counter c = counter(name);
    assertThat(c.getId().getBaseUnit()).as(name).isEqualTo("bytes");
    assertThat(c.count()).as(name).isEqualTo((double) expected);
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(50);
    }
  }
}
