package io.sparkadvisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.replay.EventLogReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The advisor where users run it: a Spark standalone master and two workers on loopback, started
 * from this build's Spark line, executors in their own JVMs, applications submitted through
 * SparkSubmit with the packaged jar on --jars or resolved with --packages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneClusterIT {
  private static final String LISTENER = "spark.extraListeners=io.sparkadvisor.SparkAdvisorListener";

  private SparkCluster cluster;
  private Path app;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = SparkCluster.start(SparkCluster.home(System.getProperty("spark.home.name")),
        System.getProperty("scala.binary.version"), 2, 1, "2g");
    app = SparkCluster.appJar();
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> withAdvisor(String... more) {
    List<String> args = new ArrayList<>(List.of("--conf", LISTENER,
        "--conf", "spark.executor.memory=512m", "--conf", "spark.executor.cores=1"));
    args.addAll(List.of(more));
    return args;
  }

  private static void healthy(SparkCluster.Submission s) {
    assertThat(s.exitCode()).as(s.log()).isZero();
    assertThat(s.log()).contains("spark-advisor", "watching this application")
        .doesNotContain("spark-advisor: failed", "spark-advisor could not start");
  }

  @Test
  void withTheShadedJarOnJarsFindingsReachTheDriverLog() throws Exception {
    List<String> args = withAdvisor("--jars", SparkCluster.SHADED_JAR.toString());
    SparkCluster.Submission s = cluster.submit(null, args, app, List.of("flaky"), null);
    healthy(s);
    assertThat(s.log()).contains("RESULT count=8");
    assertThat(s.findings("TaskFailures")).singleElement().asString()
        .contains("WARN findings: [TaskFailures] stage", "flaky on first attempt");
    // Executors released when the application stops are not failures.
    assertThat(s.findings("ExecutorLost")).isEmpty();
  }

  @Test
  void withPackagesResolvedFromAMavenRepositoryFindingsReachTheDriverLog() throws Exception {
    Path repo = install();
    String coordinates = "io.sparkadvisor:" + System.getProperty("artifact.id") + ":"
        + System.getProperty("project.version");
    List<String> args = withAdvisor("--packages", coordinates, "--repositories", repo.toUri().toString(),
        "--conf", "spark.jars.ivy=" + Files.createTempDirectory(cluster.work(), "ivy"));
    SparkCluster.Submission s = cluster.submit(null, args, app, List.of("flaky"), null);
    healthy(s);
    assertThat(s.log()).contains("RESULT count=8", "found io.sparkadvisor#" + System.getProperty("artifact.id")
        + ";" + System.getProperty("project.version"));
    assertThat(s.findings("TaskFailures")).hasSize(1);
  }

  /**
   * {@code mvn install} of the packaged jar and its POM, into a repository of the test's own (the
   * same layout as ~/.m2, without touching it).
   */
  private Path install() throws Exception {
    Path repo = Files.createTempDirectory(cluster.work(), "m2");
    Path log = repo.resolveSibling(repo.getFileName() + ".log");
    String mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn").toString();
    Process p = new ProcessBuilder(mvn, "-B", "-q", "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
        "org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file",
        "-Dfile=" + SparkCluster.SHADED_JAR.toAbsolutePath(),
        "-DpomFile=" + Path.of(System.getProperty("flattened.pom")).toAbsolutePath(),
        "-DlocalRepositoryPath=" + repo).directory(repo.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    return repo;
  }

  /** Spark's event log of a run, into a directory of its own: the replay tests read it back. */
  private static List<String> eventLog(Path dir, String... more) {
    List<String> args = new ArrayList<>(List.of("--conf", "spark.eventLog.enabled=true",
        "--conf", "spark.eventLog.dir=" + dir.toUri()));
    args.addAll(List.of(more));
    return args;
  }

  /** The run's one event log, replayed through the advisor in this JVM. */
  private static EventLogReplay.Result replay(Path events) throws Exception {
    List<Path> logs = EventLogReplay.logsIn(events);
    assertThat(logs).as("event logs in " + events).hasSize(1);
    EventLogReplay.Result r = EventLogReplay.replay(logs.get(0), java.util.Map.of());
    assertThat(r.readWhole()).as(r.describe()).isTrue();
    assertThat(r.content().applicationEnded).as(r.describe()).isTrue();
    assertThat(r.trouble()).as(r.describe()).isEmpty();
    assertThat(r.summary()).as(r.describe()).isNotNull();
    return r;
  }

  @Test
  void aSpeculativeCopyThatWinsIsNoFailureLiveOrReplayed() throws Exception {
    Path events = Files.createTempDirectory(cluster.work(), "events");
    Path out = cluster.work().resolve("speculate-out-" + System.nanoTime());
    List<String> args = withAdvisor("--jars", SparkCluster.SHADED_JAR.toString(),
        "--conf", "spark.speculation=true", "--conf", "spark.speculation.interval=100ms",
        "--conf", "spark.speculation.quantile=0.5", "--conf", "spark.speculation.multiplier=2",
        "--conf", "spark.speculation.minTaskRuntime=500ms",
        "--conf", "spark.speculation.efficiency.enabled=false");
    // A rolling log (eventlog_v2_*), the other layout the history server reads.
    args.addAll(eventLog(events, "--conf", "spark.eventLog.rolling.enabled=true"));
    SparkCluster.Submission s = cluster.submit(null, args, app, List.of("speculate", out.toString()), null);
    healthy(s);
    assertThat(s.log()).contains("RESULT written=8");
    assertThat(s.log()).as("no WARN finding on a job whose only trouble speculation fixed")
        .doesNotContain("WARN findings: [");

    EventLogReplay.Result r = replay(events);
    assertThat(EventLogReplay.logsIn(events).get(0).getFileName().toString()).startsWith("eventlog_v2_");
    assertThat(r.content().speculativeTasks).as(r.describe()).isPositive();
    // The copy that lost the race was killed, or (rarely) denied its commit; neither is a failure.
    assertThat(r.content().tasksKilled + r.content().failures.getOrDefault("TaskCommitDenied", 0L))
        .as(r.describe()).isPositive();
    assertThat(r.warnings()).as(r.describe()).isEmpty();
  }

  @Test
  void aStageRetriedAfterAFetchFailureIsReportedLiveAndReplayed() throws Exception {
    Path events = Files.createTempDirectory(cluster.work(), "events");
    // Both executors hold map output and run a reduce task that has not fetched yet: one is killed.
    SparkCluster.Submission s = submitKillingOneExecutor("retry", events);

    EventLogReplay.Result r = replay(events);
    assertThat(r.content().failures).as(r.describe()).containsKey("FetchFailed");
    assertThat(r.content().maxStageAttempt).as(r.describe()).isPositive();
    assertThat(r.content().stagesFailed).as(r.describe()).isPositive();
    assertThat(r.findings("TaskFailures")).as(r.describe())
        .anySatisfy(f -> assertThat(f.path("evidence").path("reasons").has("shuffle fetch failure")).isTrue());
    assertThat(r.findings("ExecutorLost")).as(r.describe()).hasSize(1);
    // Live, the same findings.
    assertThat(s.findings("ExecutorLost")).as(s.log()).hasSize(1);
    assertThat(s.findings("TaskFailures")).as(s.log()).anySatisfy(l -> assertThat(l).contains("shuffle fetch failure"));
  }

  @Test
  void anExecutorKilledMidStageIsReportedAsExecutorLostAndTheJobCompletes() throws Exception {
    Path events = Files.createTempDirectory(cluster.work(), "events");
    // Both executors are running a task of the stage: one is killed.
    SparkCluster.Submission s = submitKillingOneExecutor("kill", events);
    assertThat(s.findings("ExecutorLost")).as(s.log()).singleElement().asString()
        .contains("WARN findings: [ExecutorLost] application: executor ", " was lost after ",
            "task attempt", "of task time lost and re-run");
    assertThat(s.log()).doesNotContain("ERROR SparkAdvisor", "ERROR AdvisorEngine");

    // Replayed from Spark's event log: the same executor lost, with the attempts it took along.
    EventLogReplay.Result r = replay(events);
    assertThat(r.content().executorsRemoved).as(r.describe()).isPositive();
    assertThat(r.findings("ExecutorLost")).as(r.describe()).singleElement()
        .satisfies(f -> assertThat(f.path("message").asText()).contains(" was lost after ", "task attempt"));
  }

  private static long count(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  /**
   * Runs the app in {@code mode} with an event log in {@code events}; once both executors have
   * written their marker, SIGKILLs one. Asserts the job still completed with the right result.
   */
  private SparkCluster.Submission submitKillingOneExecutor(String mode, Path events) throws Exception {
    Path markers = Files.createTempDirectory(cluster.work(), "markers");
    List<ProcessHandle> killed = new ArrayList<>();
    List<String> args = withAdvisor("--jars", SparkCluster.SHADED_JAR.toString(), "--conf", "spark.task.maxFailures=8");
    args.addAll(eventLog(events));
    SparkCluster.Submission s = cluster.submit(null, args, app, List.of(mode, markers.toString()), (submit, log) -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (count(markers) < 2 && System.nanoTime() < deadline && submit.isAlive()) {
        Thread.sleep(100);
      }
      List<ProcessHandle> executors = cluster.executors();
      assertThat(executors).as(Files.readString(log)).isNotEmpty();
      executors.get(0).destroyForcibly();
      killed.add(executors.get(0));
    });
    healthy(s);
    assertThat(killed).hasSize(1);
    assertThat(s.log()).contains("RESULT sum=28");
    return s;
  }

  /** Heartbeats every second, heap sampled every 200 ms, the sizing rules' floors lowered. */
  private static List<String> sizing(String... more) {
    List<String> args = new ArrayList<>(List.of("--jars", SparkCluster.SHADED_JAR.toString(),
        "--conf", LISTENER, "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.heartbeatInterval=1s", "--conf", "spark.executor.metrics.pollingInterval=200ms",
        "--conf", "spark.advisor.rule.ExecutorMemoryOversized.minExecutorMemory=1g",
        "--conf", "spark.advisor.rule.ExecutorMemoryOversized.minAppDuration=1s"));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void executorsThatUsedLittleOfTheirHeapAreReportedOversized() throws Exception {
    // 2 GB executors: the rule never suggests less than 1 GB, so a 1 GB executor is never oversized.
    SparkCluster.Submission s = cluster.submit(null, sizing("--conf", "spark.executor.memory=2g"), app,
        List.of("heap", "0.05", "3"), null);
    healthy(s);
    assertThat(s.findings("ExecutorMemoryOversized")).as(s.log()).singleElement().asString()
        .contains("INFO findings: [ExecutorMemoryOversized] application: the highest JVM heap any of 2 executors used",
            "of 2 GB", "spark.executor.memory=1g");
    assertThat(s.findings("ExecutorMemoryPressure")).isEmpty();
  }

  @Test
  void executorsShortOfHeapAreReportedUnderPressure() throws Exception {
    SparkCluster.Submission s = cluster.submit(null, sizing(
        "--conf", "spark.executor.extraJavaOptions=-XX:+UseSerialGC",
        "--conf", "spark.advisor.rule.ExecutorMemoryPressure.minRunTime=5s"), app, List.of("churn", "0.55", "10"), null);
    healthy(s);
    assertThat(s.log()).contains("RESULT churned=");
    assertThat(s.findings("ExecutorMemoryPressure")).as(s.log()).singleElement().asString()
        .contains("WARN findings: [ExecutorMemoryPressure] application: ", "short of heap", "spark.executor.memory=");
    assertThat(s.findings("ExecutorMemoryOversized")).isEmpty();
  }

  @Test
  void rightSizedExecutorsAreNotReported() throws Exception {
    SparkCluster.Submission s = cluster.submit(null, sizing(), app, List.of("heap", "0.6", "4"), null);
    healthy(s);
    assertThat(s.log()).contains("RESULT held=");
    assertThat(s.findings("ExecutorMemoryOversized")).as(s.log()).isEmpty();
    assertThat(s.findings("ExecutorMemoryPressure")).as(s.log()).isEmpty();
  }
}
