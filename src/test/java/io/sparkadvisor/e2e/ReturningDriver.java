package io.sparkadvisor.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A driver as users write them: builds a session on its (non-daemon) main thread, runs a job and
 * returns from {@code main} without {@code spark.stop()}. The advisor and its registries are set by
 * {@code -Dspark.*} system properties, which SparkConf reads. Started in a JVM of its own by
 * {@link DriverExitEndToEndTest}: the JVM must exit once main returns.
 *
 * <p>Before returning it scrapes its own Prometheus endpoint (the endpoint's threads start on the
 * first request), waits until the test's receiver has had a Pushgateway push and an OTLP export,
 * and prints every live thread as {@code THREAD <daemon> <name>}.
 */
public final class ReturningDriver {
  private ReturningDriver() {}

  public static void main(String[] args) throws Exception {
    String prometheusPort = args[0];
    String receiver = args[1];
    SparkSession spark = SparkSession.builder().master("local[2]").appName("returning-driver").getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long count = sc.parallelize(Workloads.range(8), 4).count();
    System.out.println("JOB " + count);

    System.out.println("SCRAPE " + get("http://127.0.0.1:" + prometheusPort + "/metrics").lines()
        .filter(l -> l.startsWith("spark_tasks_completed")).findFirst().orElse("(none)"));
    long deadline = System.nanoTime() + 60_000_000_000L;
    String seen = "";
    while (System.nanoTime() < deadline && !(seen.contains("push") && seen.contains("otlp"))) {
      Thread.sleep(200);
      seen = get(receiver + "/seen");
    }
    System.out.println("SEEN " + seen);

    Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t != Thread.currentThread())
        .sorted(Comparator.comparing(Thread::getName))
        .forEach(t -> System.out.println("THREAD " + (t.isDaemon() ? "daemon" : "non-daemon") + " " + t.getName()));
    System.out.println("MAIN RETURNS");
    System.out.flush();
  }

  private static String get(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(2_000);
    c.setReadTimeout(5_000);
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }
}
