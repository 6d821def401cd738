package io.sparkadvisor.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spark's own history-server test event logs (spark-events/ of spark-core's test jar, unpacked
 * by the build for this build's Spark line), written by Spark 1.4 to 4.x, replayed through the
 * advisor with Spark's ReplayListenerBus. Every log must replay without an advisor error; the
 * findings asserted per log follow from the log's own numbers (noted at each).
 */
class SparkEventLogsReplayTest {
  private static final Path LOGS = Path.of(System.getProperty("spark.event.logs",
      "target/spark-event-logs/spark-events"));
  /** Spark 3.5 and 4.0 ship 17 logs, 4.2 one more (a rolling log); fewer means the unpack broke. */
  private static final int AT_LEAST = 17;

  static Stream<Path> logs() {
    return EventLogReplay.logsIn(LOGS).stream();
  }

  @Test
  void sparksOwnTestLogsAreThere() {
    assertThat(Files.isDirectory(LOGS)).as("unpacked by the build: " + LOGS).isTrue();
    assertThat(EventLogReplay.logsIn(LOGS)).hasSizeGreaterThanOrEqualTo(AT_LEAST);
  }

  /** Every log: read whole, every event processed, no advisor error, the summary logged. */
  @ParameterizedTest
  @MethodSource("logs")
  void everyLogReplaysWithoutAnAdvisorError(Path log) throws Exception {
    EventLogReplay.Result r = EventLogReplay.replay(log, Map.of());
    assertThat(r.readWhole()).as(r.describe()).isTrue();
    assertThat(r.trouble()).as(r.describe()).isEmpty();
    assertThat(r.processedEvents()).as(r.describe()).isPositive();
    assertThat(r.droppedEvents()).as(r.describe()).isZero();
    assertThat(r.content().applicationEnded).as("every one of Spark's test logs ends its application").isTrue();
    // The summary's totals are Spark's own: the tasks and attempts the log holds.
    EventLogReplay.Content c = r.content();
    long failed = c.failures.values().stream().mapToLong(Long::longValue).sum();
    assertThat(r.summary()).as(r.describe()).isNotNull()
        .contains(c.tasksSucceeded + " tasks, " + failed + " failed, " + c.tasksKilled + " killed");
  }

  static Stream<Arguments> expected() {
    return Stream.of(
        // Standalone, 4 executors: stage 0 of 26 attempts, 10 threw RuntimeException('bad exec')
        // and were retried; 102 s, too short for IdleCores.
        Arguments.of("app-20161115172038-0000", List.of("TaskFailures")),
        // The same job, 8 failed attempts; 11 s.
        Arguments.of("app-20161116163331-0000", List.of("TaskFailures")),
        // 2 failed attempts of stage 0; 2 one-core executors held for 8.9 min while the tasks ran
        // 1.6 s in all: cores idle.
        Arguments.of("app-20180109111548-0000", List.of("TaskFailures", "IdleCores")),
        // One executor of 16 cores held for 6.1 min; 48 tasks used 55 core-s of it (1%).
        Arguments.of("app-20200706201101-0003", List.of("IdleCores")),
        // YARN, 5 one-core executors for 7.9 min, 4 failed attempts, 12 core-s of tasks.
        Arguments.of("application_1516285256255_0012", List.of("TaskFailures", "IdleCores")),
        // YARN with speculation and dynamic allocation: 4 tasks succeeded, one speculative copy was
        // killed ('another attempt succeeded') after its stage completed, and 6 idle executors were
        // released ('Container ... exited from explicit termination request.', YARN's reason for a
        // container the driver asked it to kill). Neither is a failure; 4.6 min, so no IdleCores.
        Arguments.of("application_1628109047826_1317105", List.of()),
        // Local mode: stage 2's task 3 threw RuntimeException('got a 3, failing') once, and with
        // spark.task.maxFailures 1 in local mode the stage and its job failed.
        Arguments.of("local-1422981780767", List.of("TaskFailures")),
        // Small healthy applications: every task succeeded, stages of at most 110 tasks, nothing
        // spilled, no task over 31 s.
        Arguments.of("local-1422981759269", List.of()),
        Arguments.of("local-1425081759269", List.of()),
        Arguments.of("local-1426533911241", List.of()),
        Arguments.of("local-1430917381534", List.of()),
        Arguments.of("local-1642039451826", List.of()),
        Arguments.of("application_1553914137147_0018", List.of()),
        Arguments.of("local-1426633911242", List.of()),
        Arguments.of("application_1578436911597_0052", List.of()),
        // Applications that ran no job.
        Arguments.of("application_1555004656427_0144", List.of()),
        Arguments.of("local-1430917381535_1", List.of()),
        Arguments.of("local-1430917381535_2", List.of()),
        // Spark 4.2's test jar only: a rolling log (eventlog_v2_*) of a 2 s local application
        // with 2 tasks.
        Arguments.of("eventlog_v2_local-1766844910796", List.of()))
        .filter(a -> Files.exists(LOGS.resolve((String) a.get()[0])));
  }

  /** The WARN findings each log must produce, and no others. */
  @ParameterizedTest
  @MethodSource("expected")
  void findingsFollowTheLogsNumbers(String name, List<String> rules) throws Exception {
    EventLogReplay.Result r = EventLogReplay.replay(LOGS.resolve(name), Map.of());
    assertThat(r.warnings().stream().map(f -> f.path("rule").asText()).distinct().sorted().toList())
        .as(r.describe()).isEqualTo(rules.stream().sorted().toList());
  }

  @Test
  void failedAttemptsAreCountedAsTheLogHasThem() throws Exception {
    JsonNode tenRetried = single(EventLogReplay.replay(LOGS.resolve("app-20161115172038-0000"), Map.of()), "TaskFailures");
    assertThat(tenRetried.path("evidence").path("failedAttempts").asLong()).isEqualTo(10);
    assertThat(tenRetried.path("evidence").path("stageFailed").asBoolean()).isFalse();
    assertThat(tenRetried.path("message").asText()).contains("10 x exception java.lang.RuntimeException", "'bad exec'");

    JsonNode stageFailed = single(EventLogReplay.replay(LOGS.resolve("local-1422981780767"), Map.of()), "TaskFailures");
    assertThat(stageFailed.path("scope").path("stageId").asInt()).isEqualTo(2);
    assertThat(stageFailed.path("evidence").path("failedAttempts").asLong()).isEqualTo(1);
    assertThat(stageFailed.path("evidence").path("stageFailed").asBoolean()).isTrue();
  }

  @Test
  void aSpeculativeCopyKilledAfterItsStageCompletedIsNeitherAFailureNorLost() throws Exception {
    EventLogReplay.Result r = EventLogReplay.replay(LOGS.resolve("application_1628109047826_1317105"), Map.of());
    assertThat(r.content().speculativeTasks).isEqualTo(1);
    assertThat(r.content().tasksKilled).isEqualTo(1);
    assertThat(r.content().executorsRemoved).isEqualTo(6);
    assertThat(r.findings("TaskFailures")).as(r.describe()).isEmpty();
    assertThat(r.findings("ExecutorLost")).as(r.describe()).isEmpty();
  }

  /**
   * Replayed at full speed with a live check every millisecond: the live rules must judge a
   * running task by the log's clock, not the wall clock, or every task running at a check looks
   * years old.
   */
  @ParameterizedTest
  @MethodSource("logs")
  void liveChecksDuringTheReplayFindNoStraggler(Path log) throws Exception {
    EventLogReplay.Result r = EventLogReplay.replay(log, Map.of("spark.advisor.liveCheckInterval", "1ms"));
    assertThat(r.trouble()).as(r.describe()).isEmpty();
    // Judged by the log's own time, a task still running cannot have run longer than the slowest
    // task of the log really did (by the wall clock, a task of 2015 has run for years).
    assertThat(r.findings("StragglerTask")).as(r.describe())
        .allSatisfy(f -> assertThat(f.at("/evidence/elapsedMs").asLong()).isLessThanOrEqualTo(r.content().longestTaskMs));
  }

  private static JsonNode single(EventLogReplay.Result r, String rule) {
    assertThat(r.findings(rule)).as(r.describe()).hasSize(1);
    return r.findings(rule).get(0);
  }
}
