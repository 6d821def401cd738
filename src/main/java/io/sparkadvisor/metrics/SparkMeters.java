package io.sparkadvisor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sparkadvisor.engine.ModelObserver;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The meters of what Spark does: stages, tasks, SQL queries, streaming queries and executors.
 * Updated on the advisor's thread from the same copied events the rules read; gauges read
 * atomics, so a scrape on another thread never touches the model. Tag values come from small
 * fixed sets; the one open-ended tag, a streaming query's name, is capped (the rest share
 * {@code other}). Names and units: docs/metrics.md.
 */
public final class SparkMeters implements ModelObserver {
  static final String SUCCESS = "success";
  static final String FAILURE = "failure";

  private final MeterRegistry registry;
  private final int maxQueryTags;

  private final Counter tasksCompleted;
  private final Counter tasksFailed;
  private final Counter tasksKilled;
  private final Timer taskDuration;
  private final Counter runTime;
  private final Counter cpuTime;
  private final Counter gcTime;
  private final Counter spillMemory;
  private final Counter spillDisk;
  private final Counter shuffleRead;
  private final Counter shuffleWrite;
  private final Counter shuffleFetchWait;
  private final Counter inputBytes;
  private final Counter inputRecords;
  private final Counter outputBytes;
  private final Counter outputRecords;
  private final Timer stagesSucceeded;
  private final Timer stagesFailed;
  private final Timer queriesSucceeded;
  private final Timer queriesFailed;
  private final Map<OperatorKind, Counter> joins = new EnumMap<>(OperatorKind.class);

  private final AtomicLong activeTasks = new AtomicLong();
  private final AtomicLong activeStages = new AtomicLong();
  private final AtomicLong activeJobs = new AtomicLong();
  private final AtomicLong activeQueries = new AtomicLong();
  private final AtomicLong activeExecutors = new AtomicLong();
  private final AtomicLong activeCores = new AtomicLong();

  /** Streaming meters by query tag; the query names that got a tag of their own (at most the cap). */
  private final Map<String, StreamMeters> streams = new HashMap<>();
  private final java.util.Set<String> queryTags = new java.util.HashSet<>();
  /** Which tag each live query run reports under, for its termination. */
  private final Map<String, String> runTags = new ConcurrentHashMap<>();

  public SparkMeters(MeterRegistry registry, int maxQueryTags) {
    this.registry = registry;
    this.maxQueryTags = maxQueryTags;
    tasksCompleted = counter("spark.tasks.completed", null, "Task attempts that succeeded");
    tasksFailed = counter("spark.tasks.failed", null, "Task attempts that failed (to be retried or failing their stage)");
    tasksKilled = counter("spark.tasks.killed", null, "Task attempts Spark killed on purpose (speculation losers, cancelled jobs)");
    taskDuration = Timer.builder("spark.task.duration")
        .description("Task attempt duration, launch to finish, of every ended attempt")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
    runTime = counter("spark.task.run.time", "seconds", "Executor run time of ended task attempts");
    cpuTime = counter("spark.task.cpu.time", "seconds", "Executor CPU time of ended task attempts");
    gcTime = counter("spark.task.gc.time", "seconds", "JVM garbage collection time during task attempts");
    spillMemory = counter("spark.task.spill.memory", "bytes", "Deserialized size of data spilled from memory");
    spillDisk = counter("spark.task.spill.disk", "bytes", "Serialized size of spilled data on disk");
    shuffleRead = counter("spark.shuffle.read", "bytes", "Shuffle bytes read, local and remote");
    shuffleWrite = counter("spark.shuffle.write", "bytes", "Shuffle bytes written");
    shuffleFetchWait = counter("spark.shuffle.fetch.wait", "seconds", "Time tasks waited for shuffle blocks");
    inputBytes = counter("spark.task.input", "bytes", "Bytes read from sources (files, tables)");
    inputRecords = counter("spark.task.input.records", "records", "Records read from sources");
    outputBytes = counter("spark.task.output", "bytes", "Bytes written to sinks");
    outputRecords = counter("spark.task.output.records", "records", "Records written to sinks");
    stagesSucceeded = durationTimer("spark.stage.duration", SUCCESS, "Stage attempt duration, submission to completion");
    stagesFailed = durationTimer("spark.stage.duration", FAILURE, "Stage attempt duration, submission to completion");
    queriesSucceeded = durationTimer("spark.sql.query.duration", SUCCESS, "SQL execution duration, start to end");
    queriesFailed = durationTimer("spark.sql.query.duration", FAILURE, "SQL execution duration, start to end");
    gauge("spark.tasks.active", activeTasks, "Task attempts running");
    gauge("spark.stages.active", activeStages, "Stage attempts running");
    gauge("spark.jobs.active", activeJobs, "Jobs running");
    gauge("spark.sql.queries.active", activeQueries, "SQL executions running");
    gauge("spark.executors.active", activeExecutors, "Executors the application holds");
    gauge("spark.executors.cores", activeCores, "Cores of the executors the application holds");
    Gauge.builder("spark.streaming.queries.active", streams, s -> liveRuns())
        .description("Streaming query runs the advisor is watching").register(registry);
  }

  private Counter counter(String name, String unit, String description) {
    return Counter.builder(name).baseUnit(unit).description(description).register(registry);
  }

  private Timer durationTimer(String name, String outcome, String description) {
    return Timer.builder(name).tag("outcome", outcome).description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofHours(6))
        .register(registry);
  }

  /** A count of things running: no base unit, so the exported name stays the plain name. */
  private void gauge(String name, AtomicLong value, String description) {
    Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
  }

  @Override
  public void taskStarted(AdvisorEvent.TaskStart e) {
    activeTasks.incrementAndGet();
  }

  @Override
  public void taskEnded(AdvisorEvent.TaskEnd e) {
    decrement(activeTasks);
    if (e.killed()) {
      tasksKilled.increment();
    } else if (e.succeeded()) {
      tasksCompleted.increment();
    } else {
      tasksFailed.increment();
    }
    taskDuration.record(e.durationMs(), TimeUnit.MILLISECONDS);
    runTime.increment(e.runTimeMs() / 1e3);
    cpuTime.increment(e.cpuTimeNs() / 1e9);
    gcTime.increment(e.gcMs() / 1e3);
    spillMemory.increment(e.memorySpillBytes());
    spillDisk.increment(e.diskSpillBytes());
    shuffleRead.increment(e.shuffleReadBytes());
    shuffleWrite.increment(e.shuffleWriteBytes());
    shuffleFetchWait.increment(e.shuffleFetchWaitMs() / 1e3);
    inputBytes.increment(e.inputBytes());
    inputRecords.increment(e.inputRecords());
    outputBytes.increment(e.outputBytes());
    outputRecords.increment(e.outputRecords());
  }

  /** The model's counts, which include what it closed because an end event was lost. */
  @Override
  public void activeChanged(AppState state) {
    activeStages.set(state.activeStages().size());
    activeQueries.set(state.activeQueryCount());
    // Counted up and down between these events; set from the model here, so a dropped task end
    // or job end does not leave the gauge off for good.
    activeJobs.set(state.activeJobCount());
    long running = 0;
    for (StageStats s : state.activeStages()) {
      running += s.runningTasks().size();
    }
    activeTasks.set(running);
  }

  @Override
  public void stageCompleted(StageStats stage) {
    if (stage.submissionTime() > 0 && stage.completionTime() >= stage.submissionTime()) {
      (stage.isFailed() ? stagesFailed : stagesSucceeded).record(stage.wallTimeMs(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void jobStarted(AdvisorEvent.JobStart e) {
    activeJobs.incrementAndGet();
  }

  @Override
  public void jobEnded(AdvisorEvent.JobEnd e) {
    decrement(activeJobs);
  }

  @Override
  public void queryEnded(AdvisorEvent.SqlEnd e, SqlQuery query) {
    if (query == null) {
      return; // never seen to start: not timed
    }
    boolean failed = e.error() != null && !e.error().isEmpty();
    (failed ? queriesFailed : queriesSucceeded)
        .record(Math.max(0, e.time() - query.startTime()), TimeUnit.MILLISECONDS);
    for (PlanNode join : query.plan().findAll(n -> n.kind().isJoin())) {
      joins.computeIfAbsent(join.kind(), k -> Counter.builder("spark.sql.joins")
          .description("Join operators in the final plans of ended SQL executions, by strategy")
          .tag("strategy", strategy(k))
          .register(registry)).increment();
    }
  }

  static String strategy(OperatorKind kind) {
    return switch (kind) {
      case BROADCAST_HASH_JOIN -> "broadcast_hash";
      case SHUFFLED_HASH_JOIN -> "shuffled_hash";
      case SORT_MERGE_JOIN -> "sort_merge";
      case BROADCAST_NESTED_LOOP_JOIN -> "broadcast_nested_loop";
      case CARTESIAN_PRODUCT -> "cartesian";
      default -> "other";
    };
  }

  @Override
  public void executorsChanged(AppState state) {
    activeExecutors.set(state.executors().activeExecutors());
    activeCores.set(state.executors().activeCores());
  }

  @Override
  public void streamProgressed(StreamState stream, StreamBatch batch, boolean newBatch) {
    String tag = runTags.computeIfAbsent(batch.runId(), r -> tagFor(stream.name()));
    StreamMeters m = streams.computeIfAbsent(tag, t -> new StreamMeters(registry, t));
    m.progressed(batch, newBatch);
  }

  @Override
  public void streamTerminated(AdvisorEvent.StreamTerminated e) {
    String tag = runTags.remove(e.runId());
    StreamMeters m = tag == null ? null : streams.get(tag);
    if (m != null && m.terminated(e.runId())) {
      streams.remove(tag);
      m.remove();
    }
  }

  /** A query's name as a tag value: its own while under the cap, else "other". */
  private String tagFor(String name) {
    String key = name == null || name.isBlank() ? "unnamed" : name;
    if (queryTags.contains(key) || queryTags.size() < maxQueryTags) {
      queryTags.add(key);
      return key;
    }
    return "other";
  }

  private int liveRuns() {
    return runTags.size();
  }

  private static void decrement(AtomicLong v) {
    v.updateAndGet(x -> Math.max(0, x - 1));
  }

  /** One streaming query tag's meters; several live runs of the same name sum their gauges. */
  private static final class StreamMeters {
    private final Map<String, StreamBatch> lastByRun = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private final Timer batchDuration;
    private final Counter inputRows;
    private boolean kafkaRegistered;
    private final Tags tags;

    StreamMeters(MeterRegistry registry, String tag) {
      this.registry = registry;
      this.tags = Tags.of("query", tag);
      batchDuration = Timer.builder("spark.streaming.batch.duration").tags(tags)
          .description("Micro-batch duration (triggerExecution)")
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(10))
          .maximumExpectedValue(Duration.ofHours(1))
          .register(registry);
      inputRows = Counter.builder("spark.streaming.input.rows").tags(tags).baseUnit("rows")
          .description("Rows read by micro-batches").register(registry);
      meters.add(batchDuration);
      meters.add(inputRows);
      sum("spark.streaming.input.rate", "rows.per.second", "Rows per second arriving, as the last progress reported",
          StreamBatch::inputRowsPerSecond);
      sum("spark.streaming.processed.rate", "rows.per.second", "Rows per second processed, as the last progress reported",
          StreamBatch::processedRowsPerSecond);
      sum("spark.streaming.state.rows", "rows", "Rows held in state stores", b -> Math.max(0, b.stateRows()));
      sum("spark.streaming.state.memory", "bytes", "Memory used by state stores",
          b -> Math.max(0, b.stateMemoryBytes()));
    }

    private void sum(String name, String unit, String description, ToDoubleFunction<StreamBatch> f) {
      meters.add(Gauge.builder(name, lastByRun, runs -> {
        double total = 0;
        for (StreamBatch b : runs.values()) {
          double v = f.applyAsDouble(b);
          total += Double.isFinite(v) ? v : 0;
        }
        return total;
      }).tags(tags).baseUnit(unit).description(description).register(registry));
    }

    void progressed(StreamBatch b, boolean newBatch) {
      lastByRun.put(b.runId(), b);
      if (newBatch) {
        batchDuration.record(Math.max(0, b.durationMs()), TimeUnit.MILLISECONDS);
        inputRows.increment(Math.max(0, b.inputRows()));
      }
      if (b.kafka() && !kafkaRegistered) {
        kafkaRegistered = true;
        meters.add(Gauge.builder("spark.streaming.kafka.offsets.behind", lastByRun, runs -> {
          long max = 0;
          for (StreamBatch r : runs.values()) {
            max = Math.max(max, r.offsetsBehind());
          }
          return max;
        }).tags(tags)
            .description("Kafka offsets between the last batch's end and the latest available (max over partitions)")
            .register(registry));
      }
    }

    /** Returns true when no run of this tag is left. */
    boolean terminated(String runId) {
      lastByRun.remove(runId);
      return lastByRun.isEmpty();
    }

    void remove() {
      for (Meter m : meters) {
        registry.remove(m);
      }
    }
  }
}
