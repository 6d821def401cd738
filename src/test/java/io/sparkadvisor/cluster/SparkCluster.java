package io.sparkadvisor.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on loopback: a master and workers started from a Spark home of jars
 * (assembled by the build from Maven Central), each in its own JVM; the workers start executors
 * in JVMs of their own. Applications go in through {@code org.apache.spark.deploy.SparkSubmit},
 * what {@code spark-submit} runs.
 */
final class SparkCluster implements AutoCloseable {
  static final Path SHADED_JAR = Path.of(System.getProperty("shaded.jar", "target/missing.jar"));
  private static final List<String> OPENS = Arrays.stream(System.getProperty("spark.jvm.opens", "").trim()
      .split("\\s+")).filter(s -> !s.isEmpty()).toList();

  private final Path home;
  private final String scalaVersion;
  private final Path work;
  private final List<Process> daemons = new ArrayList<>();
  private final int masterPort;
  private final int masterUiPort;

  private SparkCluster(Path home, String scalaVersion, Path work, int masterPort, int masterUiPort) {
    this.home = home;
    this.scalaVersion = scalaVersion;
    this.work = work;
    this.masterPort = masterPort;
    this.masterUiPort = masterUiPort;
  }

  /** A Spark home assembled by the build: target/spark-homes/{@code name}. */
  static Path home(String name) {
    Path home = Path.of("target", "spark-homes", name).toAbsolutePath();
    if (!Files.isDirectory(home.resolve("jars"))) {
      throw new IllegalStateException("no Spark home at " + home + ": the build assembles it before the tests");
    }
    return home;
  }

  /** Starts a master and {@code workers} workers of {@code cores} cores and {@code memory} each. */
  static SparkCluster start(Path home, String scalaVersion, int workers, int cores, String memory)
      throws Exception {
    Path work = Files.createTempDirectory("advisor-cluster");
    SparkCluster c = new SparkCluster(home, scalaVersion, work, freePort(), freePort());
    try {
      c.daemons.add(c.java(List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", Integer.toString(c.masterPort), "--webui-port", Integer.toString(c.masterUiPort)),
          work.resolve("master.log"), "127.0.0.1"));
      c.awaitWorkers(0);
      for (int i = 0; i < workers; i++) {
        // Each worker on a loopback address of its own, as on hosts of their own: Spark launches
        // a speculative copy only on a host that has no attempt of the task yet.
        String host = "127.0.0." + (1 + i);
        Path dir = Files.createDirectories(work.resolve("worker-" + i));
        c.daemons.add(c.java(List.of("org.apache.spark.deploy.worker.Worker", "--host", host,
            "--cores", Integer.toString(cores), "--memory", memory, "--webui-port", "0",
            "--work-dir", dir.toString(), c.masterUrl()), work.resolve("worker-" + i + ".log"), host));
      }
      c.awaitWorkers(workers);
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** No daemons: for spark-submit in local mode from {@code home}. */
  static SparkCluster localOnly(Path home, String scalaVersion) throws IOException {
    return new SparkCluster(home, scalaVersion, Files.createTempDirectory("advisor-local"), -1, -1);
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  Path work() {
    return work;
  }

  /** The worker directories' executor logs (stderr of every executor so far), for diagnostics. */
  String executorLogs() throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        b.append("== ").append(p).append('\n').append(Files.readString(p));
      }
    }
    return b.toString();
  }

  private void awaitWorkers(int alive) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process p : daemons) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster daemon exited: " + logs());
        }
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + masterUiPort + "/json/")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = r.body();
        JsonNode state = new ObjectMapper().readTree(r.body());
        int n = 0;
        for (JsonNode w : state.path("workers")) {
          n += "ALIVE".equals(w.path("state").asText()) ? 1 : 0;
        }
        if (n >= alive && "ALIVE".equals(state.path("status").asText())) {
          return;
        }
      } catch (IOException notYet) {
        // the master is starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("cluster not ready (" + alive + " workers) in 60 s: " + last + "\n" + logs());
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.list(work)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        b.append("== ").append(p.getFileName()).append('\n').append(Files.readString(p));
      }
    }
    return b.toString();
  }

  /** A JVM with the Spark home's jars on its class path, started as Spark's scripts would. */
  private Process java(List<String> mainAndArgs, Path log, String localIp) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(OPENS);
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + "/*");
    cmd.addAll(mainAndArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    environment(pb.environment(), localIp);
    return pb.start();
  }

  private void environment(Map<String, String> env, String localIp) {
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", scalaVersion);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_LOCAL_IP", localIp);
    env.remove("SPARK_CONF_DIR");
  }

  /** A spark-submit run: its driver log (stdout and stderr) and exit code. */
  record Submission(int exitCode, String log) {
    boolean hasFinding(String ruleId) {
      return log.lines().anyMatch(l -> l.contains("WARN findings: [" + ruleId + "] ")
          || l.contains("INFO findings: [" + ruleId + "] "));
    }

    List<String> findings(String ruleId) {
      return log.lines().filter(l -> l.contains("findings: [" + ruleId + "] ")).toList();
    }
  }

  /**
   * Runs spark-submit in client mode against this cluster (or {@code master} when given), with
   * the arguments before the application jar, then the application's arguments. {@code during}
   * runs while it executes.
   */
  Submission submit(String master, List<String> submitArgs, Path appJar, List<String> appArgs,
      During during) throws Exception {
    Path log = Files.createTempFile(work, "submit", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(OPENS);
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + "/*");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", master == null ? masterUrl() : master, "--deploy-mode", "client",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false", "--class", ClusterApp.class.getName()));
    cmd.addAll(submitArgs);
    cmd.add(appJar.toString());
    cmd.addAll(appArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    environment(pb.environment(), "127.0.0.1");
    Process p = pb.start();
    try {
      if (during != null) {
        during.run(p, log);
      }
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        throw new AssertionError("spark-submit did not finish in 180 s:\n" + Files.readString(log));
      }
      return new Submission(p.exitValue(), Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
  }

  /** What a test does while an application runs. */
  interface During {
    void run(Process submit, Path log) throws Exception;
  }

  /** The application jar: ClusterApp's classes only, as a user's job jar. */
  static Path appJar() throws IOException {
    Path classes = Path.of("target", "test-classes");
    Path jar = Files.createTempFile("cluster-app", ".jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.list(classes.resolve("io/sparkadvisor/cluster"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("ClusterApp")).toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString()));
        try (InputStream in = Files.newInputStream(f)) {
          in.transferTo(j);
        }
        j.closeEntry();
      }
    }
    return jar;
  }

  /** Executor JVMs the workers started (their command names CoarseGrainedExecutorBackend). */
  List<ProcessHandle> executors() {
    return daemons.stream().flatMap(Process::descendants)
        .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(
            "org.apache.spark.executor.CoarseGrainedExecutorBackend")).orElse(false))
        .toList();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : daemons) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroy();
    }
    for (Process p : daemons) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
