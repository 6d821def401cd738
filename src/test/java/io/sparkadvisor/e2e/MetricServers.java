package io.sparkadvisor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Prometheus and Pushgateway servers, Debian's packages (apt-get install prometheus
 * prometheus-pushgateway; .ci/run installs them), started on free loopback ports and stopped by
 * the tests. Without the binaries the tests are skipped, unless ADVISOR_REQUIRE_SERVERS is set
 * (CI sets it), when they fail.
 */
final class MetricServers {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricServers() {}

  /** A server process of the test's; closing it stops it. */
  static final class Server implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path logFile;

    private Server(int port, Process process, Path logFile) {
      this.port = port;
      this.process = process;
      this.logFile = logFile;
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    String log() {
      try {
        return Files.readString(logFile);
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Prometheus scraping {@code http://127.0.0.1:<targetPort>/metrics} every second, with the
   * given rule files loaded.
   */
  static Server prometheus(int targetPort, List<Path> ruleFiles) throws Exception {
    String bin = binary("PROMETHEUS_BIN", "/usr/bin/prometheus");
    Path dir = Files.createTempDirectory("advisor-prometheus");
    StringBuilder rules = new StringBuilder();
    for (Path r : ruleFiles) {
      rules.append("  - ").append(r.toAbsolutePath()).append('\n');
    }
    Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        rules.length() == 0 ? "" : "rule_files:\n" + rules,
        "scrape_configs:",
        "  - job_name: spark-driver",
        "    static_configs:",
        "      - targets: ['127.0.0.1:" + targetPort + "']",
        ""));
    int port = freePort();
    return start(List.of(bin, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"), port, dir);
  }

  static Server pushgateway() throws Exception {
    String bin = binary("PUSHGATEWAY_BIN", "/usr/bin/prometheus-pushgateway");
    Path dir = Files.createTempDirectory("advisor-pushgateway");
    int port = freePort();
    return start(List.of(bin, "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"), port, dir);
  }

  private static Server start(List<String> command, int port, Path dir) throws Exception {
    Path log = dir.resolve("server.log");
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    Server server = new Server(port, p, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(command.get(0) + " exited: " + server.log());
      }
      try {
        if (get(server.url() + "/-/ready").statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    server.close();
    throw new IllegalStateException(command.get(0) + " not ready in 30 s: " + server.log());
  }

  private static String binary(String env, String path) {
    String bin = System.getenv().getOrDefault(env, path);
    if (!Files.isExecutable(Path.of(bin))) {
      String why = bin + " is missing: apt-get install prometheus prometheus-pushgateway (.ci/run does)";
      if (System.getenv("ADVISOR_REQUIRE_SERVERS") != null) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why);
    }
    return bin;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The result vector of an instant PromQL query through Prometheus's HTTP API. */
  static JsonNode query(Server prometheus, String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get(prometheus.url() + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new AssertionError("query " + promql + " failed: " + r.body());
    }
    return body.path("data").path("result");
  }

  /** The single value of an instant query, or NaN when it returned no series. */
  static double value(Server prometheus, String promql) throws IOException, InterruptedException {
    JsonNode result = query(prometheus, promql);
    if (result.size() == 0) {
      return Double.NaN;
    }
    if (result.size() > 1) {
      throw new AssertionError(promql + " returned " + result.size() + " series: " + result);
    }
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  static JsonNode json(String url) throws IOException, InterruptedException {
    return JSON.readTree(get(url).body());
  }

  /**
   * The value of the sample {@code name} whose labels include every {@code label="value"} given,
   * in a Prometheus text exposition; NaN when there is none.
   */
  static double sample(String exposition, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(exposition);
    while (m.find()) {
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= m.group(1).contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
  }
}
