package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The advisor never keeps a driver alive: a real driver JVM ({@link ReturningDriver}) with every
 * metrics registry on returns from {@code main} without {@code spark.stop()}, and must exit within
 * seconds. Its Pushgateway pushes and OTLP exports go to a loopback receiver of this test's, so
 * their connections and threads are real. A non-daemon thread anywhere in the advisor or in a
 * library it starts (the JDK HTTP server's dispatcher takes the daemon flag of the thread that
 * starts it, here Spark's non-daemon main) would hold the JVM until killed.
 */
class DriverExitEndToEndTest {
  private static final long EXIT_SECONDS = 15;

  @Test
  void driverWithEveryRegistryExitsWhenMainReturnsWithoutStop() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    receiver.createContext("/metrics/", exchange -> answer(exchange, seen, "push"));
    receiver.createContext("/v1/metrics", exchange -> answer(exchange, seen, "otlp"));
    receiver.createContext("/seen", exchange -> {
      try (exchange) {
        byte[] body = String.join(",", seen).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    receiver.start();
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort();
    int prometheusPort = freePort();

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(Arrays.stream(System.getProperty("spark.jvm.opens", "").trim().split("\\s+"))
        .filter(s -> !s.isEmpty()).toList());
    cmd.addAll(List.of(
        "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1",
        "-Dspark.driver.bindAddress=127.0.0.1",
        "-Dspark.extraListeners=io.sparkadvisor.SparkAdvisorListener",
        "-Dspark.advisor.metrics.registries=prometheus,pushgateway,otlp,jmx,logging",
        "-Dspark.advisor.metrics.step=1s",
        "-Dspark.advisor.metrics.prometheus.host=127.0.0.1",
        "-Dspark.advisor.metrics.prometheus.port=" + prometheusPort,
        "-Dspark.advisor.metrics.pushgateway.url=" + url,
        "-Dspark.advisor.metrics.otlp.url=" + url + "/v1/metrics",
        "-cp", System.getProperty("java.class.path"),
        ReturningDriver.class.getName(), Integer.toString(prometheusPort), url));
    Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(driver.getInputStream(), output), "driver-output");
    reader.setDaemon(true);
    reader.start();
    try {
      // Spark's start, the job and the first step's exports, then main returns.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (!text(output).contains("MAIN RETURNS") && driver.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(text(output)).as("the driver's output").contains("MAIN RETURNS");
      boolean exited = driver.waitFor(EXIT_SECONDS, TimeUnit.SECONDS);
      assertThat(exited).as("driver JVM exited within %d s of main returning; its output:%n%s",
          EXIT_SECONDS, text(output)).isTrue();
      reader.join(5_000);
      String out = text(output);
      assertThat(driver.exitValue()).as(out).isZero();
      assertThat(out).as(out).contains("JOB 8", "SEEN ").doesNotContain("failed to start");
      assertThat(out).as("the driver scraped its own endpoint: " + out)
          .contains("SCRAPE spark_tasks_completed_total{");
      assertThat(out.lines().filter(l -> l.startsWith("SEEN ")).findFirst().orElseThrow())
          .contains("push", "otlp");

      // Every thread the advisor names is a daemon, and no thread at all but main was not.
      List<String> threads = out.lines().filter(l -> l.startsWith("THREAD ")).toList();
      assertThat(threads).as(out).contains("THREAD daemon spark-advisor",
          "THREAD daemon spark-advisor-prometheus", "THREAD daemon spark-advisor-pushgateway",
          "THREAD daemon spark-advisor-otlp", "THREAD daemon spark-advisor-metrics-log");
      assertThat(threads).as(out).noneMatch(l -> l.startsWith("THREAD non-daemon"));
    } finally {
      driver.destroyForcibly();
      receiver.stop(0);
    }
  }

  private static void answer(HttpExchange exchange, Set<String> seen, String what) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      seen.add(what);
      exchange.sendResponseHeaders(200, -1);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
