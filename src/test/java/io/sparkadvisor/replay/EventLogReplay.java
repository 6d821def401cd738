package io.sparkadvisor.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkadvisor.SparkAdvisorListener;
import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.e2e.LogCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.logging.log4j.Level;
import org.apache.spark.SparkConf;
import org.apache.spark.Success$;
import org.apache.spark.TaskKilled;
import org.apache.spark.deploy.history.EventLogFileReader;
import org.apache.spark.scheduler.ReplayListenerBus;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.JsonProtocol;

/**
 * Replays a Spark event log through {@link SparkAdvisorListener} with Spark's own
 * {@link ReplayListenerBus} and {@link EventLogFileReader}, as the history server reads logs:
 * single files (compressed by their extension) and rolling {@code eventlog_v2_*} directories.
 *
 * <p>The listener is built as spark-submit would build it, from the log's own Spark properties
 * (its environment-update event) plus the test's settings; its findings are read back from the
 * JSON-lines output and its own log lines (internal warnings, the summary) from
 * {@link LogCapture}. A plain listener of the test's own, on the same bus, tallies what the log
 * holds, so that a test can check that a scenario really happened.
 */
public final class EventLogReplay {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What Spark writes into event logs in place of a redacted value. */
  private static final String REDACTED = "*********(redacted)";

  private EventLogReplay() {}

  /** What one replay gave: the advisor's output and the log's own content. */
  public record Result(String name, boolean readWhole, long processedEvents, long droppedEvents,
      List<JsonNode> findings, List<LogCapture.Line> lines, Content content) {

    public List<JsonNode> findings(String ruleId) {
      return findings.stream().filter(f -> f.path("rule").asText().equals(ruleId)).toList();
    }

    public List<JsonNode> warnings() {
      return findings.stream().filter(f -> f.path("severity").asText().equals("WARN")).toList();
    }

    /** WARN and ERROR lines of the advisor's own loggers (failures, a rule switched off). */
    public List<LogCapture.Line> trouble() {
      return lines.stream().filter(l -> !l.logger().equals("io.sparkadvisor.findings"))
          .filter(l -> l.level().isMoreSpecificThan(Level.WARN)).toList();
    }

    /** The end-of-application summary block, or null when none was logged. */
    public String summary() {
      return lines.stream().map(LogCapture.Line::message)
          .filter(m -> m.startsWith("spark-advisor summary for ")).findFirst().orElse(null);
    }

    /** Rule ids and messages, for assertion messages. */
    public String describe() {
      StringBuilder b = new StringBuilder(name).append(": ").append(content).append('\n');
      findings.forEach(f -> b.append("  ").append(f.path("severity").asText()).append(" [")
          .append(f.path("rule").asText()).append("] ").append(f.path("message").asText()).append('\n'));
      trouble().forEach(l -> b.append("  ").append(l.level()).append(' ').append(l.message()).append('\n'));
      return b.toString();
    }
  }

  /** What the log holds, tallied by a plain listener from Spark's own events. */
  public static final class Content extends SparkListener {
    public long tasksSucceeded;
    public long tasksKilled;
    public long speculativeTasks;
    public long maxStageAttempt;
    public long stagesFailed;
    public long executorsRemoved;
    /** The longest any task attempt ran in the log, launch to finish. */
    public long longestTaskMs;
    public boolean applicationEnded;
    /** Failed task attempts by the simple class name of their reason (ExceptionFailure, FetchFailed...). */
    public final Map<String, Long> failures = new TreeMap<>();
    private long lastTime;

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.taskInfo().speculative()) {
        speculativeTasks++;
      }
      if (e.reason() == Success$.MODULE$) {
        tasksSucceeded++;
      } else if (e.reason() instanceof TaskKilled) {
        tasksKilled++;
      } else {
        failures.merge(e.reason().getClass().getSimpleName().replace("$", ""), 1L, Long::sum);
      }
      lastTime = Math.max(lastTime, e.taskInfo().finishTime());
      longestTaskMs = Math.max(longestTaskMs, e.taskInfo().finishTime() - e.taskInfo().launchTime());
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
      maxStageAttempt = Math.max(maxStageAttempt, e.stageInfo().attemptNumber());
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted e) {
      if (e.stageInfo().failureReason().isDefined()) {
        stagesFailed++;
      }
      lastTime = Math.max(lastTime, Scala.longOr(e.stageInfo().completionTime(), 0));
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      executorsRemoved++;
      lastTime = Math.max(lastTime, e.time());
    }

    @Override
    public void onApplicationEnd(SparkListenerApplicationEnd e) {
      applicationEnded = true;
    }

    @Override
    public String toString() {
      return "tasks " + tasksSucceeded + " succeeded, " + tasksKilled + " killed, failed " + failures
          + ", " + speculativeTasks + " speculative; highest stage attempt " + maxStageAttempt + ", "
          + stagesFailed + " stage attempts failed; " + executorsRemoved + " executors removed"
          + (applicationEnded ? "" : "; no application end");
    }
  }

  /**
   * The event logs in {@code dir} as the history server lists them: files not starting with a dot,
   * and rolling-log directories.
   */
  public static List<Path> logsIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> Files.isRegularFile(p) || p.getFileName().toString().startsWith("eventlog_v2_"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replays {@code log} with the log's own settings and {@code settings} on top. */
  public static Result replay(Path log, Map<String, String> settings) throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    scala.Option<EventLogFileReader> found = EventLogFileReader.apply(fs, new org.apache.hadoop.fs.Path(log.toUri()));
    if (found.isEmpty()) {
      throw new IllegalArgumentException("not an event log: " + log);
    }
    EventLogFileReader reader = found.get();
    List<FileStatus> files = Scala.list(reader.listEventLogFiles());
    if (files.isEmpty()) {
      throw new IllegalArgumentException("an event log without event files: " + log);
    }

    Path findingsFile = Files.createTempDirectory("advisor-replay").resolve("findings.jsonl");
    SparkConf conf = new SparkConf(false);
    sparkProperties(fs, files).forEach(conf::set);
    conf.set("spark.advisor.findings.path", findingsFile.toString());
    // Replayed at full speed: room for every event, and time for the summary at the end.
    conf.set("spark.advisor.queue.capacity", "1000000");
    conf.set("spark.advisor.shutdownTimeout", "60s");
    settings.forEach(conf::set);

    LogCapture capture = LogCapture.attach();
    try {
      SparkAdvisorListener advisor = new SparkAdvisorListener(conf);
      Content content = new Content();
      ReplayListenerBus bus = new ReplayListenerBus();
      bus.addListener(content);
      bus.addListener(advisor);
      boolean whole = true;
      for (int i = 0; i < files.size(); i++) {
        FileStatus f = files.get(i);
        try (InputStream in = EventLogFileReader.openEventLog(f.getPath(), fs)) {
          whole &= bus.replay(in, f.getPath().toString(), !reader.completed() && i == files.size() - 1,
              ReplayListenerBus.SELECT_ALL_FILTER());
        }
      }
      if (!content.applicationEnded) {
        // A log cut short (a driver that died, an in-progress log): end it as Spark's would, so the
        // advisor's end-of-application rules and summary run.
        bus.postToAll(JsonProtocol.sparkEventFromJson(
            "{\"Event\":\"SparkListenerApplicationEnd\",\"Timestamp\":" + content.lastTime + "}"));
      }
      long processed = counter(advisor, "spark.advisor.events.processed");
      long dropped = counter(advisor, "spark.advisor.events.dropped");
      return new Result(log.getFileName().toString(), whole, processed, dropped, readFindings(findingsFile),
          capture.lines(), content);
    } finally {
      capture.detach();
    }
  }

  /** A counter of the advisor's own meters; -1 where the shaded jar hides Micrometer's types. */
  private static long counter(SparkAdvisorListener advisor, String name) {
    try {
      return Math.round(advisor.meterRegistry().get(name).functionCounter().count());
    } catch (LinkageError shaded) {
      return -1;
    }
  }

  /** The Spark properties of the log's environment-update event, as the driver's SparkConf had them. */
  private static Map<String, String> sparkProperties(FileSystem fs, List<FileStatus> files) throws IOException {
    Map<String, String> props = new LinkedHashMap<>();
    for (FileStatus f : files) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          EventLogFileReader.openEventLog(f.getPath(), fs), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (!line.contains("\"SparkListenerEnvironmentUpdate\"")) {
            continue;
          }
          JsonNode p = JSON.readTree(line).path("Spark Properties");
          for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // A value the log redacted is not the driver's value: leave the default.
            if (!e.getValue().asText().equals(REDACTED)) {
              props.put(e.getKey(), e.getValue().asText());
            }
          }
          // Exporters are the live run's business, not a replay's.
          props.keySet().removeIf(k -> k.startsWith("spark.advisor.metrics."));
          return props;
        }
      }
    }
    return props;
  }

  private static List<JsonNode> readFindings(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }
}
