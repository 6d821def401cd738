package io.sparkadvisor.rules;

import static io.sparkadvisor.rules.PlanFixture.m;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The plan rules on plans and metrics in the advisor's own model, at their default floors. */
class PlanRulesTest {
  static final long MB = 1L << 20;

  /** Metric values of the operators in {@code nodes}, as a stage that ran them reports them. */
  static Map<Long, Long> ran(PlanFixture f, PlanNode... nodes) {
    Map<Long, Long> out = new HashMap<>();
    for (PlanNode n : nodes) {
      for (long id : n.metrics().values()) {
        out.put(id, f.values.getOrDefault(id, 1L));
      }
    }
    return out;
  }

  @Nested
  class MissingBroadcastJoinRule {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    /** A join of a fact scan and a dimension scan, both shuffled, with their actual shuffle sizes. */
    SqlQuery join(String type, long leftBytes, long rightBytes, boolean adaptive, Map<String, String> session) {
      PlanNode left = f.sort(f.exchange("hashpartitioning(k#1L, 200)", 1_000, leftBytes, f.scan("sales", 1_000)));
      PlanNode right = f.sort(f.exchange("hashpartitioning(k#7L, 200)", 10, rightBytes, f.scan("dim_store", 10)));
      PlanNode join = f.smj(type, 100, left, right);
      return h.query(1, "nightly join", adaptive ? f.adaptive(join) : join, session, f.values);
    }

    Finding runtime(SqlQuery q) {
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryEnded(q, h.context(rule));
      return h.findings().isEmpty() ? null : h.fires();
    }

    @Test
    void aSmallShuffledSideWithAqeOffFiresBeforeTheJoinRuns() {
      h.conf("spark.sql.adaptive.enabled", "false");
      SqlQuery q = join("Inner", 800 * MB, 2 * MB, false, Map.of());
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryProgress(q, null, h.context(rule));
      Finding finding = h.fires();
      assertThat(finding.render()).contains("SortMergeJoin [k] (Inner join)", "shuffled sides 800 MB (left) and 2 MB (right)",
          "the right side dim_store is 2 MB", "spark.sql.adaptive.enabled=false", "/*+ BROADCAST(dim_store) */");
      assertThat(finding.evidence()).containsEntry("sizes", "actual").containsEntry("rightBytes", 2 * MB);
    }

    @Test
    void theBoundaryIsTenMegabytesAndTenTimes() {
      h.conf("spark.sql.adaptive.enabled", "false");
      assertThat(runtime(join("Inner", 100 * MB, 10 * MB, false, Map.of()))).isNotNull();
      assertThat(runtime(join("Inner", 100 * MB, 10 * MB + 1, false, Map.of()))).isNull();
      assertThat(runtime(join("Inner", 99 * MB, 10 * MB, false, Map.of()))).isNull();
    }

    @Test
    void aLargerConfiguredThresholdRaisesTheSmallSideLimit() {
      h.conf("spark.sql.adaptive.enabled", "false").conf("spark.sql.autoBroadcastJoinThreshold", "50m");
      assertThat(runtime(join("Inner", 2_000 * MB, 40 * MB, false, Map.of()))).isNotNull();
    }

    @Test
    void withAqeOnItWaitsForTheJoinToRun() {
      SqlQuery q = join("Inner", 800 * MB, 2 * MB, true, Map.of());
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryProgress(q, null, h.context(rule));
      h.quiet(); // AQE may still switch it to a broadcast join
      assertThat(runtime(q)).isNotNull();
    }

    /** A join whose sides have no measured sizes yet, only the optimizer's estimates. */
    SqlQuery estimated(String type, long leftBytes, long rightBytes, boolean adaptive, Map<String, String> session) {
      PlanNode join = f.smj(type, -1, f.sort(f.exchange("hashpartitioning(k#1L, 200)", -1, -1, f.scan("sales", -1))),
          f.sort(f.exchange("hashpartitioning(k#7L, 200)", -1, -1, f.scan("dim_store", -1))));
      SqlQuery q = h.query(2, "estimated", adaptive ? f.adaptive(join) : join, session, f.values);
      h.app.queryEstimated(2, Map.of(join.joinSignature(), new PlanNode.Estimate(leftBytes, rightBytes)));
      return q;
    }

    @Test
    void withAqeOffTheOptimizersEstimateFiresAtStartNamedAsAnEstimate() {
      h.conf("spark.sql.adaptive.enabled", "false");
      SqlQuery q = estimated("Inner", 900 * MB, 3 * MB, false, Map.of("spark.sql.autoBroadcastJoinThreshold", "-1"));
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryRunning(q, h.context(rule));
      Finding finding = h.fires();
      assertThat(finding.render()).contains("the optimizer estimated the sides at 900 MB (left) and 3 MB (right)",
          "is estimated at 3 MB", "spark.sql.autoBroadcastJoinThreshold=-1 switches broadcast joins off",
          "spark.sql.autoBroadcastJoinThreshold=10m (now -1)", "not measured yet");
      assertThat(finding.evidence()).containsEntry("sizes", "estimated");
      assertThat(finding.costMillis()).isZero(); // nothing has run: no measured time to put on it
    }

    @Test
    void withAqeOnEstimatesAreNeverJudgedEvenWithBroadcastSwitchedOff() {
      SqlQuery q = estimated("Inner", 900 * MB, 3 * MB, true, Map.of("spark.sql.autoBroadcastJoinThreshold", "-1"));
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryRunning(q, h.context(rule));
      h.quiet(); // judged once the sides are measured (see withAqeOnItWaitsForTheJoinToRun)
    }

    @Test
    void aLeftSemiJoinsPetabyteEstimateWithAqeOnIsQuiet() {
      // Issue 11: TPC-DS at 1 GB, AQE on; the estimate of a join's side without CBO is the product
      // of its inputs' sizes. The small side is the left one, which a LeftSemi join cannot build.
      SqlQuery q = estimated("LeftSemi", 16_077, 1_576_000_000_000_000L, true, Map.of());
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryRunning(q, h.context(rule));
      rule.onQueryEnded(q, h.context(rule));
      h.quiet();
    }

    @Test
    void anEstimateUnderTheThresholdWithAqeOnIsLeftToAqe() {
      SqlQuery q = estimated("Inner", 900 * MB, 3 * MB, true, Map.of("spark.sql.autoBroadcastJoinThreshold", "1m"));
      MissingBroadcastJoin rule = new MissingBroadcastJoin(h.options("MissingBroadcastJoin"));
      rule.onQueryRunning(q, h.context(rule));
      h.quiet();
    }

    @Test
    void onlyASideTheJoinTypeCanBuildIsAdvised() {
      Map<String, String> off = Map.of("spark.sql.adaptive.enabled", "false");
      // LeftOuter, LeftSemi, LeftAnti build only their right side; RightOuter only its left; FullOuter none.
      assertThat(runtime(join("LeftOuter", 2 * MB, 800 * MB, false, off))).isNull();
      assertThat(runtime(join("LeftSemi", 2 * MB, 800 * MB, false, off))).isNull();
      assertThat(runtime(join("LeftAnti", 2 * MB, 800 * MB, false, off))).isNull();
      assertThat(runtime(join("FullOuter", 800 * MB, 2 * MB, false, off))).isNull();
      assertThat(runtime(join("RightOuter", 800 * MB, 2 * MB, false, off))).isNull();
      assertThat(runtime(join("LeftSemi", 800 * MB, 2 * MB, false, off)).render())
          .contains("(LeftSemi join)", "the right side dim_store is 2 MB");
      assertThat(runtime(join("RightOuter", 2 * MB, 800 * MB, false, off)).render())
          .contains("(RightOuter join)", "the left side sales is 2 MB");
    }

    @Test
    void withAqeOnTheMeasuredSideUnderTheThresholdThatAqeKeptFiresAtTheEnd() {
      SqlQuery q = join("Inner", 800 * MB, 2 * MB, true, Map.of());
      Finding finding = runtime(q);
      assertThat(finding.render()).contains("shuffled sides 800 MB (left) and 2 MB (right)",
          "stayed a shuffle join although the side is under the threshold spark.sql.autoBroadcastJoinThreshold=10m");
    }

    @Test
    void withAqeOnAMeasuredSideOverAqesOwnThresholdNamesIt() {
      SqlQuery q = join("Inner", 800 * MB, 8 * MB, true, Map.of("spark.sql.adaptive.autoBroadcastJoinThreshold", "4m"));
      assertThat(runtime(q).render()).contains(
          "the broadcast threshold spark.sql.adaptive.autoBroadcastJoinThreshold=4m is below the side's 8 MB");
    }

    @Test
    void theCostIsClampedToTheTaskTimeOfTheStagesThatShuffledTheLargeSide() {
      h.conf("spark.sql.adaptive.enabled", "false");
      PlanNode large = f.exchange("hashpartitioning(k#1L, 200)", 1_000, 800 * MB, f.scan("sales", 1_000));
      PlanNode small = f.exchange("hashpartitioning(k#7L, 200)", 10, 2 * MB, f.scan("dim_store", 10));
      PlanNode join = f.smj("Inner", 100, f.sort(large), f.sort(small));
      SqlQuery q = h.query(5, "clamped", join, Map.of(), f.values);
      // The large side's map stage took 4 x 500 ms; the small side's 4 x 10 s, which is not its work.
      h.submitForQuery(1, 4, 5).endMany(1, 0, 4, 500);
      h.completeWithMetrics(1, ran(f, large));
      h.submitForQuery(2, 4, 5).endMany(2, 0, 4, 10_000);
      h.completeWithMetrics(2, ran(f, small));
      Finding finding = runtime(q);
      // The model alone (800 MB written, read and sorted at ~100 MB/s) would say 16 s.
      assertThat(finding.costMillis()).isEqualTo(2_000);
      assertThat(finding.costText()).contains("at most the 2 core-s task time");
    }

    @Test
    void theCostIsZeroWhenNoStageOfTheWorkIsKnown() {
      h.conf("spark.sql.adaptive.enabled", "false");
      assertThat(runtime(join("Inner", 100_000 * MB, 2 * MB, false, Map.of())).costMillis()).isZero();
    }

    @Test
    void similarSidesAreQuiet() {
      h.conf("spark.sql.adaptive.enabled", "false");
      assertThat(runtime(join("Inner", 5 * MB, 6 * MB, false, Map.of()))).isNull();
    }
  }

  @Nested
  class OversizedBroadcastRule {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    void check(long bytes, long collectMs, long buildMs) {
      PlanNode b = f.node("BroadcastExchange", "BroadcastExchange HashedRelationBroadcastMode", OperatorKind.BROADCAST_EXCHANGE,
          Map.of(), m("data size", bytes, "number of output rows", 5_000_000, "time to collect", collectMs,
              "time to build", buildMs), f.scan("dim_customer", 5_000_000));
      PlanNode join = f.node("BroadcastHashJoin", "BroadcastHashJoin [c#1L], [c#9L], Inner, BuildRight, false",
          OperatorKind.BROADCAST_HASH_JOIN, Map.of(), m("number of output rows", 1), f.scan("sales", 10), b);
      SqlQuery q = h.query(3, "broadcast", join, Map.of(), f.values);
      OversizedBroadcast rule = new OversizedBroadcast(h.options("OversizedBroadcast"));
      rule.onQueryProgress(q, null, h.context(rule));
    }

    @Test
    void aGigabyteFires() {
      check(1L << 30, 1_000, 1_000);
      assertThat(h.fires().render()).contains("BroadcastExchange for BroadcastHashJoin [c] of dim_customer: 1 GB in 5,000,000 rows");
    }

    @Test
    void thirtySecondsOfCollectAndBuildFires() {
      check(100 * MB, 20_000, 10_000);
      assertThat(h.fires().render()).contains("collected in 20 s and built in 10 s");
    }

    @Test
    void justUnderBothFloorsIsQuiet() {
      check((1L << 30) - 1, 20_000, 9_999);
      h.quiet();
    }
  }

  @Nested
  class PairwiseJoinRules {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    void nestedLoop(long streamRows, long buildRows) {
      PlanNode b = f.node("BroadcastExchange", "BroadcastExchange IdentityBroadcastMode", OperatorKind.BROADCAST_EXCHANGE,
          Map.of(), m("number of output rows", buildRows, "data size", 1), f.range(buildRows));
      PlanNode join = f.node("BroadcastNestedLoopJoin", "BroadcastNestedLoopJoin BuildRight, Inner, (a#1L < b#2L)",
          OperatorKind.BROADCAST_NESTED_LOOP_JOIN, Map.of(), m("number of output rows", 10), f.range(streamRows), b);
      SqlQuery q = h.query(4, "range join", join, Map.of(), f.values);
      NestedLoopJoin rule = new NestedLoopJoin(h.options("NestedLoopJoin"));
      rule.onQueryEnded(q, h.context(rule));
    }

    @Test
    void aBillionPairsFires() {
      nestedLoop(100_000, 10_000);
      Finding finding = h.fires();
      assertThat(finding.render()).contains("BroadcastNestedLoopJoin (Inner): 1.00e+09 candidate row pairs",
          "100,000 x 10,000 rows", "equality condition");
    }

    @Test
    void justUnderABillionIsQuiet() {
      nestedLoop(99_999, 10_000);
      h.quiet();
    }

    @Test
    void aCartesianProductComputedInItsStageIsCountedOncePerPair() {
      // Each side recomputed once per partition of the other: 4 x 4 tasks.
      PlanNode left = f.range(200_000 * 4);
      PlanNode right = f.range(10_000 * 4);
      PlanNode join = f.node("CartesianProduct", "CartesianProduct", OperatorKind.CARTESIAN_PRODUCT, Map.of(),
          m("number of output rows", 2_000_000_000L), left, right);
      h.query(5, "cross", join, Map.of(), Map.of());
      h.submitForQuery(7, 16, 5).endMany(7, 0, 16, 1_000);
      StageStats stage = h.completeWithMetrics(7, ran(f, left, right, join));
      CartesianProduct rule = new CartesianProduct(h.options("CartesianProduct"));
      rule.onQueryProgress(h.app.query(5), stage, h.context(rule));
      assertThat(h.fires().evidence().get("candidatePairs")).isEqualTo(2e9);
    }
  }

  @Nested
  class SinglePartitionExchangeRule {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    void window(String partitioning, long rows, long bytes) {
      PlanNode ex = f.exchange(partitioning, rows, bytes, f.range(rows));
      PlanNode window = f.node("Window", "Window [row_number() ...]", OperatorKind.WINDOW, Map.of(), m(), f.sort(ex));
      SqlQuery q = h.query(6, "ranking", window, Map.of(), f.values);
      SinglePartitionExchange rule = new SinglePartitionExchange(h.options("SinglePartitionExchange"));
      rule.onQueryProgress(q, null, h.context(rule));
    }

    @Test
    void aMillionRowsIntoAWindowWithoutPartitionByFires() {
      window("SinglePartition", 1_000_000, 10 * MB);
      assertThat(h.fires().render()).contains("Exchange SinglePartition for a window function without PARTITION BY moves "
          + "1,000,000 rows (10 MB)", "PARTITION BY <key>");
    }

    @Test
    void oneHundredMegabytesFires() {
      window("SinglePartition", 10, 100 * MB);
      h.fires();
    }

    @Test
    void underBothFloorsOrHashPartitionedIsQuiet() {
      window("SinglePartition", 999_999, 100 * MB - 1);
      window("hashpartitioning(g#3L, 200)", 50_000_000, 10_000 * MB);
      h.quiet();
    }
  }

  @Nested
  class JoinExplosionRule {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    void join(long out, long leftRows, long rightRows) {
      PlanNode join = f.smj("Inner", out, f.sort(f.exchange("hashpartitioning(k#1L, 200)", leftRows, MB, f.range(leftRows))),
          f.sort(f.exchange("hashpartitioning(k#7L, 200)", rightRows, MB, f.range(rightRows))));
      SqlQuery q = h.query(7, "events x sessions", join, Map.of(), f.values);
      JoinExplosion rule = new JoinExplosion(h.options("JoinExplosion"));
      rule.onQueryEnded(q, h.context(rule));
    }

    @Test
    void tenTimesTheLargerInputAndTenMillionRowsFires() {
      join(10_000_000, 1_000_000, 200_000);
      assertThat(h.fires().render()).contains("emitted 10,000,000 rows from inputs of 1,000,000 (left) and 200,000 (right)",
          "10x the larger input", "[k]");
    }

    @Test
    void underEitherFloorIsQuiet() {
      join(9_999_999, 900_000, 10);
      join(19_999_999, 2_000_000, 10);
      h.quiet();
    }
  }

  @Nested
  class FileRules {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    void read(long files, long bytes, long partitions, String partitionFilters) {
      Object[] metrics = partitions < 0
          ? m("number of files read", files, "size of files read", bytes)
          : m("number of files read", files, "size of files read", bytes, "number of partitions read", partitions);
      PlanNode scan = f.node("Scan parquet spark_catalog.default.events", "FileScan parquet", OperatorKind.FILE_SCAN,
          Map.of("Format", "Parquet", "Location", "InMemoryFileIndex(1 paths)[s3://b/events]",
              "PartitionFilters", partitionFilters), metrics);
      SqlQuery q = h.query(8, "read events", scan, Map.of(), f.values);
      SmallFilesRead small = new SmallFilesRead(h.options("SmallFilesRead"));
      small.onQueryProgress(q, null, h.context(small));
      MissingPartitionFilter filter = new MissingPartitionFilter(h.options("MissingPartitionFilter"));
      filter.onQueryProgress(q, null, h.context(filter));
    }

    @Test
    void aHundredFilesUnderThreeMegabytesFires() {
      read(100, 100 * 3 * MB - 100, -1, "[]");
      assertThat(h.fires().render()).startsWith("[SmallFilesRead]").contains("FileScan parquet spark_catalog.default.events: "
          + "reads 100 files of 300 MB in all, 3 MB per file");
    }

    @Test
    void fewerFilesOrLargerOnesAreQuiet() {
      read(99, MB, -1, "[]");
      read(100, 100 * 3 * MB, -1, "[]");
      h.quiet();
    }

    @Test
    void allOfAHundredPartitionsWithoutAPartitionFilterFires() {
      read(100, 100 * 128 * MB, 100, "[isnotnull(dt#3)]");
      assertThat(h.fires().render()).startsWith("[MissingPartitionFilter]")
          .contains("reads all 100 partitions", "PartitionFilters: [isnotnull(dt#3)]");
    }

    @Test
    void aPrunedScanOrFewerPartitionsAreQuiet() {
      read(100, 100 * 128 * MB, 365, "[isnotnull(dt#3), (dt#3 >= 2026-11-01)]");
      read(99, 99 * 128 * MB, 99, "[]");
      h.quiet();
    }

    @Test
    void aHundredSmallWrittenFilesFireWithThePartitionColumnsInTheFix() {
      PlanNode write = f.node("Execute InsertIntoHadoopFsRelationCommand",
          "Execute InsertIntoHadoopFsRelationCommand s3://b/out, false, [dt#5], Parquet, [path=s3://b/out], Append",
          OperatorKind.WRITE, Map.of(), m("number of written files", 400, "written output", 400 * MB, "number of dynamic part", 20));
      SqlQuery q = h.query(9, "write", write, Map.of(), f.values);
      SmallFilesWritten rule = new SmallFilesWritten(h.options("SmallFilesWritten"));
      rule.onQueryEnded(q, h.context(rule));
      assertThat(h.fires().render()).contains("wrote 400 files of 400 MB in all, 1 MB per file on average, into 20 partitions",
          "df.repartition(dt).write.partitionBy(dt)");
    }
  }

  @Nested
  class SkewedJoinRule {
    final RuleHarness h = new RuleHarness();
    final PlanFixture f = new PlanFixture();

    Finding run(long hotBytes, String name, Map<String, String> session) {
      PlanNode join = f.node(name, "SortMergeJoin [k#1L], [k#7L], Inner", OperatorKind.SORT_MERGE_JOIN, Map.of(),
          m("number of output rows", 5), f.range(1), f.range(1));
      h.query(10, "skewed", join, session, Map.of());
      h.submitForQuery(3, 20, 10);
      for (int p = 0; p < 19; p++) {
        h.end(Tasks.task(3, p, 1_000).shuffleRead(20 * MB));
      }
      h.end(Tasks.task(3, 19, 60_000).shuffleRead(hotBytes));
      StageStats stage = h.completeWithMetrics(3, ran(f, join));
      SkewedJoin rule = new SkewedJoin(h.options("SkewedJoin"));
      rule.onQueryProgress(h.app.query(10), stage, h.context(rule));
      return h.findings().isEmpty() ? null : h.fires();
    }

    @Test
    void aSkewedPartitionAqeWasToldNotToSplitFires() {
      Finding finding = run(2_048 * MB, "SortMergeJoin", Map.of("spark.sql.adaptive.skewJoin.enabled", "false"));
      assertThat(finding.render()).contains("SortMergeJoin [k] (Inner) in stage 3.0: partition 19 read 2 GB",
          "spark.sql.adaptive.skewJoin.enabled=false", "fix: spark.sql.adaptive.skewJoin.enabled=true");
    }

    @Test
    void underTheFloorOrSplitByAqeIsQuiet() {
      assertThat(run(255 * MB, "SortMergeJoin", Map.of())).isNull();
      assertThat(run(2_048 * MB, "SortMergeJoin(skew=true)", Map.of())).isNull();
    }
  }
}
