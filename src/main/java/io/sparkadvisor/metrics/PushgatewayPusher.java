package io.sparkadvisor.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the registry to a Prometheus Pushgateway every step and once more when the application
 * ends, so a batch job shorter than a scrape interval still leaves its numbers. Each push replaces
 * the group {@code job=<job>} (HTTP PUT), as the Pushgateway expects of batch jobs: the newest
 * run's values, not a pile of old ones. Every connect and request is bounded by the timeout.
 */
final class PushgatewayPusher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.sparkadvisor.metrics");

  private final PrometheusMeterRegistry registry;
  private final URI target;
  private final String display;
  private final Duration timeout;
  private final ExportFailures failures;
  private final HttpClient client;
  private final ScheduledExecutorService scheduler;

  PushgatewayPusher(String baseUrl, String job, long stepMillis, long timeoutMillis,
      PrometheusMeterRegistry registry, ExportFailures failures) {
    this.registry = registry;
    this.target = target(baseUrl, job);
    this.display = baseUrl + " (job '" + job + "')";
    this.timeout = Duration.ofMillis(timeoutMillis);
    this.failures = failures;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spark-advisor-pushgateway");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::push, stepMillis, stepMillis, TimeUnit.MILLISECONDS);
    LOG.info("spark-advisor: pushing metrics to the Pushgateway at {} every {} ms and at the end",
        display, stepMillis);
  }

  /** {@code <base>/metrics/job@base64/<job>}: base64url keeps any application name a valid path. */
  static URI target(String baseUrl, String job) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    String encoded = Base64.getUrlEncoder().encodeToString(job.getBytes(StandardCharsets.UTF_8));
    return URI.create(base + "/metrics/job@base64/" + encoded);
  }

  URI target() {
    return target;
  }

  /** One push; failures are counted and the first is logged, nothing is thrown. */
  boolean push() {
    try {
      HttpRequest request = HttpRequest.newBuilder(target)
          .timeout(timeout)
          .header("Content-Type", PrometheusEndpoint.CONTENT_TYPE)
          .PUT(HttpRequest.BodyPublishers.ofString(registry.scrape(PrometheusEndpoint.CONTENT_TYPE)))
          .build();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return true;
      }
      String body = response.body() == null ? "" : response.body().strip();
      failures.failed("pushgateway", "the Pushgateway at " + display + " refused a push: HTTP "
          + response.statusCode() + (body.isEmpty() ? "" : " " + abbreviate(body)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failures.failed("pushgateway", "could not push metrics to the Pushgateway at " + display + " ("
          + ExportFailures.cause(e) + ")");
    }
    return false;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 200) + "..." : one;
  }

  /** Stops the schedule and makes the final push, bounded by the timeout. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    push();
  }
}
