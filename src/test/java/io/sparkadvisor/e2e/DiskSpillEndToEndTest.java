package io.sparkadvisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A sort whose tasks run out of sort memory. Spark's own force-spill threshold stands in for a
 * small executor: the sorter spills every 20,000 records, as it would when memory is short.
 */
class DiskSpillEndToEndTest {
  @Test
  void aSortThatSpillsOver100MbIsReported() throws Exception {
    Path findings = Sessions.tempFindingsFile();
    LogCapture log = LogCapture.attach();
    SparkSession spark = Sessions.start("disk-spill", Map.of(
        "spark.advisor.findings.path", findings.toString(),
        "spark.shuffle.spill.numElementsForceSpillThreshold", "20000"));
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      sc.setJobGroup("spill", "sort with little memory", false);
      assertThat(Workloads.sortRandomRecords(sc, 1_000_000)).isEqualTo(1_000_000L);
      LogCapture.Line line = log.awaitFinding("DiskSpill", "job group 'spill'");
      assertThat(line.message()).contains("to disk", "shuffle read", "use 16 partitions instead of 8");
      JsonNode f = Sessions.finding(findings, "DiskSpill", "spill");
      assertThat(f.at("/evidence/diskSpillBytes").asLong()).isGreaterThanOrEqualTo(100L << 20);
      assertThat(f.at("/evidence/memorySpillBytes").asLong())
          .isGreaterThan(f.at("/evidence/diskSpillBytes").asLong());
      assertThat(f.at("/evidence/shuffleReadBytes").asLong()).isGreaterThan(100L << 20);
    } finally {
      Sessions.stop(spark);
      log.detach();
    }
  }
}
