package io.sparkadvisor.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one process) on loopback, in
 * its own JVM: its jars come from Maven Central into target/kafka-broker during the build, so its
 * Scala never meets Spark's. Started and stopped by the tests.
 */
final class KafkaBroker implements AutoCloseable {
  private final Process process;
  private final String bootstrap;
  private final Path dir;

  private KafkaBroker(Process process, String bootstrap, Path dir) {
    this.process = process;
    this.bootstrap = bootstrap;
    this.dir = dir;
  }

  static KafkaBroker start() throws Exception {
    String libs = System.getProperty("kafka.broker.libs", "target/kafka-broker");
    if (!Files.isDirectory(Path.of(libs))) {
      throw new IllegalStateException("no Kafka broker jars in " + libs + ": run the tests through Maven");
    }
    Path dir = Files.createTempDirectory("advisor-kafka");
    int port = freePort();
    int controller = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "num.partitions=2",
        ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = libs + "/*";
    run(List.of(java, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t",
        org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", config.toString()), dir.resolve("format.log"));
    Process p = new ProcessBuilder(java, "-Xmx512m", "-cp", classpath, "kafka.Kafka", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
    KafkaBroker broker = new KafkaBroker(p, "127.0.0.1:" + port, dir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!listening(port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        broker.close();
        throw new IllegalStateException("Kafka broker did not start: " + Files.readString(dir.resolve("broker.log")));
      }
      Thread.sleep(200);
    }
    return broker;
  }

  String bootstrap() {
    return bootstrap;
  }

  void createTopic(String name, int partitions) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
  }

  /** Sends {@code count} small records to {@code topic} and waits until all are acknowledged. */
  void produce(String topic, int count) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, Integer.toString(i), "event-" + i));
      }
      producer.flush();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(List<String> command, Path log) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
