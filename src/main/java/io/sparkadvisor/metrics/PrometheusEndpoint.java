package io.sparkadvisor.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's scrape endpoint: {@code GET /metrics} in Prometheus text format, served by the
 * JDK's own HTTP server, whose dispatcher and handler threads are both daemons. A scrape renders
 * the registry on the handler thread, never on Spark's.
 */
final class PrometheusEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.sparkadvisor.metrics");
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private PrometheusEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts the endpoint, or returns null after one WARN when the address cannot be bound. */
  static PrometheusEndpoint start(String host, int port, PrometheusMeterRegistry registry,
      ExportFailures failures) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException | RuntimeException e) {
      failures.failed("prometheus", "could not open the Prometheus endpoint on " + host + ":" + port + " ("
          + ExportFailures.cause(e) + "); this driver's metrics cannot be scraped. Choose a free port with "
          + "spark.advisor.metrics.prometheus.port", false);
      return null;
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "spark-advisor-prometheus");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> serve(exchange, registry));
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    try {
      startOnDaemonThread(server);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    LOG.info("spark-advisor: Prometheus endpoint at http://{}:{}/metrics", host, server.getAddress().getPort());
    return new PrometheusEndpoint(server, executor);
  }

  /**
   * {@code HttpServer.start()} creates its dispatcher thread with the daemon flag of the thread
   * that calls it: the thread building the SparkContext, usually a driver's non-daemon main thread.
   * A non-daemon dispatcher keeps the driver's JVM alive after {@code main} returns without
   * {@code spark.stop()}, since the endpoint is only closed at application end. Started from a
   * short-lived daemon thread of ours, the dispatcher is a daemon too.
   */
  private static void startOnDaemonThread(HttpServer server) {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Thread starter = new Thread(() -> {
      try {
        server.start();
      } catch (RuntimeException e) {
        failure.set(e);
      }
    }, "spark-advisor-prometheus-start");
    starter.setDaemon(true);
    starter.start();
    boolean interrupted = false;
    while (true) {
      try {
        starter.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // start() is quick and bounded: wait for it, then restore the flag
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape(CONTENT_TYPE).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The port bound (useful when configured as 0). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
