package io.sparkadvisor.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what the advisor logs, through the same log4j2 that writes Spark's driver log: the
 * tests read exactly the lines a user would see.
 */
public final class LogCapture extends AbstractAppender {
  public record Line(Level level, String logger, String message) {
    public boolean isFinding(String ruleId) {
      return message.startsWith("[" + ruleId + "] ");
    }
  }

  private static final String ADVISOR = "io.sparkadvisor";
  private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();

  private LogCapture() {
    super("advisor-capture", null, null, true, Property.EMPTY_ARRAY);
  }

  /** Attaches a new capture to the advisor's loggers. */
  public static LogCapture attach() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    LogCapture capture = new LogCapture();
    capture.start();
    config.addAppender(capture);
    LoggerConfig lc = config.getLoggerConfig(ADVISOR);
    if (!ADVISOR.equals(lc.getName())) {
      lc = new LoggerConfig(ADVISOR, Level.INFO, true);
      config.addLogger(ADVISOR, lc);
    }
    lc.addAppender(capture, Level.ALL, null);
    ctx.updateLoggers();
    return capture;
  }

  public void detach() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getLoggerConfig(ADVISOR).removeAppender(getName());
    ctx.updateLoggers();
    stop();
  }

  @Override
  public void append(LogEvent event) {
    lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getMessage().getFormattedMessage()));
  }

  public List<Line> lines() {
    return List.copyOf(lines);
  }

  public List<Line> findings(String ruleId) {
    return lines.stream().filter(l -> l.isFinding(ruleId)).toList();
  }

  /** All finding lines, of any rule. */
  public List<Line> findings() {
    return lines.stream().filter(l -> l.logger().equals("io.sparkadvisor.findings")).toList();
  }

  /** Waits up to {@code timeout} for a line matching {@code test}. */
  public Optional<Line> await(Predicate<Line> test, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Line> hit = lines.stream().filter(test).findFirst();
      if (hit.isPresent()) {
        return hit;
      }
      Thread.sleep(50);
    }
    return lines.stream().filter(test).findFirst();
  }

  /** Waits for a finding of {@code ruleId} whose line contains {@code marker} (a job group). */
  public Line awaitFinding(String ruleId, String marker) throws InterruptedException {
    return await(l -> l.isFinding(ruleId) && l.message().contains(marker), Duration.ofSeconds(30))
        .orElseThrow(() -> new AssertionError("no [" + ruleId + "] finding containing '" + marker
            + "'; the advisor logged:\n" + String.join("\n", lines().stream().map(Line::message).toList())));
  }
}
