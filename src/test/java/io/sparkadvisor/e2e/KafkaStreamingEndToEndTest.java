package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Streaming rules that read Kafka's own numbers, on a real broker (KRaft, loopback) read through
 * Spark's Kafka source, at default thresholds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaStreamingEndToEndTest {
  private KafkaBroker kafka;
  private LogCapture log;
  private SparkSession spark;

  @BeforeAll
  void start() throws Exception {
    kafka = KafkaBroker.start();
    log = LogCapture.attach();
    spark = Sessions.start("kafka-streaming", Map.of("spark.sql.shuffle.partitions", "2"));
  }

  @AfterAll
  void stop() {
    Sessions.stop(spark);
    log.detach();
    kafka.close();
  }

  private StreamingQuery read(String topic, String name, Map<String, String> options) throws Exception {
    return spark.readStream().format("kafka").option("kafka.bootstrap.servers", kafka.bootstrap())
        .option("subscribe", topic).option("startingOffsets", "earliest").options(options).load()
        .writeStream().queryName(name).trigger(Trigger.ProcessingTime("1 second")).format("noop").start();
  }

  /** Produces {@code perRound} records every {@code everyMs} until stopped. */
  private Thread pump(String topic, int perRound, long everyMs, AtomicBoolean running) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        kafka.produce(topic, perRound);
        try {
          Thread.sleep(everyMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "pump-" + topic);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aBacklogReadWithoutMaxOffsetsPerTriggerIsOneHugeBatch() throws Exception {
    kafka.createTopic("clicks", 2);
    kafka.produce("clicks", 150_000);
    AtomicBoolean running = new AtomicBoolean(true);
    StreamingQuery q = read("clicks", "clicks-unbounded", Map.of());
    pump("clicks", 500, 1_000, running);
    LogCapture.Line line = log.awaitFinding("KafkaUnboundedBatch", "'clicks-unbounded'");
    running.set(false);
    q.stop();
    assertThat(line.message()).contains("batch 0 read 150,", "everything up to the latest offsets", "maxOffsetsPerTrigger");

    kafka.createTopic("views", 2);
    kafka.produce("views", 150_000);
    AtomicBoolean steady = new AtomicBoolean(true);
    StreamingQuery capped = read("views", "views-capped", Map.of("maxOffsetsPerTrigger", "20000"));
    pump("views", 500, 1_000, steady);
    Thread.sleep(12_000);
    steady.set(false);
    capped.stop();
    assertThat(log.findings("KafkaUnboundedBatch")).noneMatch(l -> l.message().contains("'views-capped'"));
    assertThat(log.findings("StreamFallingBehind")).noneMatch(l -> l.message().contains("'views-capped'"));
  }

  @Test
  void aConsumerCappedBelowTheProducersRateFallsBehind() throws Exception {
    kafka.createTopic("orders", 2);
    AtomicBoolean running = new AtomicBoolean(true);
    pump("orders", 10_000, 500, running);
    StreamingQuery q = read("orders", "orders-behind", Map.of("maxOffsetsPerTrigger", "1000"));
    LogCapture.Line line = log.awaitFinding("StreamFallingBehind", "'orders-behind'");
    running.set(false);
    q.stop();
    assertThat(line.message()).contains("Kafka lag (offsets behind latest, furthest partition) grew from");
  }
}
