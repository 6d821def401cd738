package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Stages Spark runs for itself or from its own threads, in real sessions: the parallel file
 * listing job gets no task-shape advice, and AQE's stages are named by their query.
 */
class SparkInternalJobsEndToEndTest {

  @Test
  void listingAThousandPartitionFoldersGetsNoWarning() throws IOException {
    // 1,000 partition folders: more than spark.sql.sources.parallelPartitionDiscovery.threshold
    // (32), so Spark lists them in a job of one task per folder, each a few milliseconds.
    Path root = Files.createTempDirectory("advisor-listing");
    for (int i = 0; i < 1_000; i++) {
      Path dir = Files.createDirectories(root.resolve("day=" + i));
      Files.writeString(dir.resolve("part-0.csv"), i + "\n");
    }
    List<String> descriptions = new CopyOnWriteArrayList<>();
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("listing", Map.of());
    try {
      spark.sparkContext().addSparkListener(new SparkListener() {
        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted e) {
          String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
          descriptions.add(d == null ? "" : d);
        }
      });
      // The schema is given, so the read runs no inference job: the listing is the only job.
      spark.read().schema("v INT").csv(root.toString());
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    assertThat(descriptions).anySatisfy(d -> assertThat(d).startsWith("Listing leaf files and directories for 1000 paths"));
    assertThat(log.findings()).filteredOn(l -> l.level() == Level.WARN).isEmpty();
  }

  @Test
  void anAdaptiveQuerysStagesAreNamedByTheQueryNotSparksThreadPool() {
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("aqe-names", Map.of("spark.sql.adaptive.enabled", "true"));
    try {
      // 1,000 tiny map tasks before the shuffle: AQE submits that stage from its own thread pool.
      List<Row> rows = spark.range(0, 10_000, 1, 1_000).groupBy(col("id").mod(10)).count().collectAsList();
      assertThat(rows).hasSize(10);
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
    assertThat(log.findings()).filteredOn(l -> l.message().startsWith("[TinyTasks]")).singleElement()
        .satisfies(l -> assertThat(l.message())
            .matches("\\[TinyTasks\\] stage \\d+\\.0 'collectAsList at SparkInternalJobsEndToEndTest\\.java:\\d+' .*")
            .doesNotContain("withThreadLocalCaptured", "CompletableFuture", "FutureTask"));
  }
}
