package io.sparkadvisor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkadvisor.SparkAdvisorListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Real local SparkSessions with the advisor attached the way users attach it. */
final class Sessions {
  private Sessions() {}

  static SparkSession start(String app, Map<String, String> conf) {
    SparkSession.Builder b = SparkSession.builder()
        .master("local[2,3]") // 2 cores; a task may fail 3 times
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/advisor-warehouse")
        .config("spark.extraListeners", SparkAdvisorListener.class.getName());
    conf.forEach(b::config);
    return b.getOrCreate();
  }

  static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  static Path tempFindingsFile() {
    try {
      Path dir = Files.createTempDirectory("advisor-findings");
      return dir.resolve("findings.jsonl");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON objects in a findings file. */
  static List<JsonNode> readFindings(Path file) {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return out;
      }
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(mapper.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * The JSON finding of {@code rule} whose scope has job group {@code group}. The log line comes
   * first and the file line just after it, so this waits up to 10 s for the file to have it.
   */
  static JsonNode finding(Path file, String rule, String group) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      JsonNode hit = readFindings(file).stream()
          .filter(n -> n.path("rule").asText().equals(rule))
          .filter(n -> group == null || n.path("scope").path("jobGroup").asText().equals(group))
          .findFirst()
          .orElse(null);
      if (hit != null) {
        return hit;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no " + rule + " finding for job group " + group + " in "
            + readFindings(file));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
