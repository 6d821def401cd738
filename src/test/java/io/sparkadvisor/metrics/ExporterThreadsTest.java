package io.sparkadvisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The exporters' threads are daemons even when started, as Spark does, from a non-daemon thread
 * (a driver's main): a library thread that inherits the starter's flag, such as the JDK HTTP
 * server's dispatcher, would keep the driver's JVM alive. {@code DriverExitEndToEndTest} checks the
 * same on a real driver JVM with every registry.
 */
class ExporterThreadsTest {
  @Test
  void prometheusEndpointStartedFromANonDaemonThreadStartsOnlyDaemons() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("demo.count").increment();
    ExportFailures failures = new ExportFailures(new SimpleMeterRegistry());
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    AtomicReference<PrometheusEndpoint> started = new AtomicReference<>();
    Thread main = new Thread(() -> started.set(PrometheusEndpoint.start("127.0.0.1", 0, registry, failures)),
        "non-daemon-main");
    main.setDaemon(false);
    main.start();
    main.join();
    PrometheusEndpoint endpoint = started.get();
    assertThat(endpoint).isNotNull();
    try {
      // The handler thread starts with the first request.
      HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("demo_count_total");

      List<Thread> started1 = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !before.contains(t) && t.isAlive()).toList();
      assertThat(started1).extracting(Thread::getName)
          .contains("HTTP-Dispatcher", "spark-advisor-prometheus");
      assertThat(started1).allSatisfy(t -> assertThat(t.isDaemon()).as(t.getName() + " is a daemon").isTrue());
    } finally {
      endpoint.close();
    }
  }
}
