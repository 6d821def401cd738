package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The streaming rules on micro-batch windows in the advisor's own model, at default thresholds. */
class StreamRulesTest {
  static final long MB = 1L << 20;
  static final long T0 = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();

  /** A run of batches; each call adds the next batch. */
  static final class Stream {
    final RuleHarness h = new RuleHarness();
    long batchId;
    long nextStart = T0;
    StreamState state;

    Stream trigger(long ms) {
      h.app.streamStarted(new AdvisorEvent.StreamStarted("q-1", "run-1", "events", T0, ms));
      return this;
    }

    /** A batch of {@code ms}, starting {@code gapMs} after the previous ended. */
    Stream batch(long ms, long gapMs, long rows, long stateRows, long stateBytes, boolean watermark,
        long offsetsBehind, boolean drained) {
      StreamBatch b = new StreamBatch("q-1", "run-1", "events", batchId++, Instant.ofEpochMilli(nextStart).toString(), ms,
          Map.of("addBatch", ms * 8 / 10, "queryPlanning", ms / 10, "walCommit", ms / 20), rows, 0, 0, watermark,
          stateRows < 0 ? new String[0] : new String[] {"stateStoreSave"}, stateRows, stateBytes, offsetsBehind >= 0,
          offsetsBehind, drained);
      nextStart += ms + gapMs;
      state = h.app.streamProgressed(b);
      return this;
    }

    /** A batch of one stateful {@code operator} without a watermark that removed {@code removed} rows. */
    Stream state(String operator, long ms, long gapMs, long stateRows, long removed) {
      StreamBatch b = new StreamBatch("q-1", "run-1", "events", batchId++, Instant.ofEpochMilli(nextStart).toString(), ms,
          Map.of("addBatch", ms), 10_000, 0, 0, false, new String[] {operator}, stateRows, stateRows * 100, false, -1,
          true, removed, false);
      nextStart += ms + gapMs;
      state = h.app.streamProgressed(b);
      return this;
    }

    Stream plain(long ms, long gapMs) {
      return batch(ms, gapMs, 1_000, -1, -1, false, -1, true);
    }

    Finding run(Rule rule) {
      rule.onStreamProgress(state, h.context(rule));
      return h.findings().isEmpty() ? null : h.fires();
    }
  }

  @Nested
  class BatchOverrun {
    @Test
    void threeBatchesOverTheirTriggerFireWithTheSlowestPhase() {
      Stream s = new Stream().trigger(1_000).plain(1_200, 0).plain(1_500, 0).plain(1_100, 0);
      Finding f = s.run(new StreamBatchOverrun(s.h.options("StreamBatchOverrun")));
      assertThat(f.render()).contains("streaming query 'events' (id q-1)", "3 batches in a row without idle time",
          "1.2 s, 1.5 s, 1.1 s", "trigger interval 1 s", "slowest phase addBatch");
    }

    @Test
    void aBatchWithinItsTriggerBreaksTheRun() {
      Stream s = new Stream().trigger(1_000).plain(1_200, 0).plain(900, 100).plain(1_100, 0);
      assertThat(s.run(new StreamBatchOverrun(s.h.options("StreamBatchOverrun")))).isNull();
    }

    @Test
    void withoutAKnownTriggerIntervalBackToBackBatchesAreTheDesignNotAnOverrun() {
      // The default trigger starts each batch as the previous ended: long batches back to back
      // are how it works. Whether the query keeps up is StreamFallingBehind's question.
      Stream asap = new Stream().trigger(0).plain(12_000, 0).plain(11_000, 0).plain(10_500, 0).plain(10_000, 0);
      assertThat(asap.run(new StreamBatchOverrun(asap.h.options("StreamBatchOverrun")))).isNull();
      Stream unknown = new Stream().plain(12_000, 0).plain(11_000, 0).plain(10_500, 0).plain(10_000, 0);
      assertThat(unknown.state.triggerMs()).isEqualTo(-1);
      assertThat(unknown.run(new StreamBatchOverrun(unknown.h.options("StreamBatchOverrun")))).isNull();
      Stream once = new Stream().trigger(-2).plain(12_000, 0).plain(11_000, 0).plain(10_500, 0);
      assertThat(once.run(new StreamBatchOverrun(once.h.options("StreamBatchOverrun")))).isNull();
    }
  }

  @Nested
  class FallingBehind {
    @Test
    void growingKafkaLagFires() {
      Stream s = new Stream().trigger(1_000);
      for (long lag : new long[] {8_000, 9_500, 11_000, 13_000, 15_000}) {
        s.batch(500, 500, 1_000, -1, -1, false, lag, false);
      }
      assertThat(s.run(new StreamFallingBehind(s.h.options("StreamFallingBehind"))).render())
          .contains("Kafka lag (offsets behind latest, furthest partition) grew from 8,000 to 15,000");
    }

    @Test
    void batchesThatGrowBackToBackFire() {
      Stream s = new Stream().trigger(0);
      long ms = 1_000;
      for (int i = 0; i < 5; i++) {
        s.batch(ms, 0, ms * 20, -1, -1, false, -1, true); // rows arrived during the previous batch
        ms = ms * 3 / 2;
      }
      assertThat(s.run(new StreamFallingBehind(s.h.options("StreamFallingBehind")))).isNotNull();
    }

    @Test
    void aStableLagOrIdleTimeIsQuiet() {
      Stream lag = new Stream().trigger(1_000);
      for (int i = 0; i < 5; i++) {
        lag.batch(500, 500, 1_000, -1, -1, false, 20_000, false);
      }
      assertThat(lag.run(new StreamFallingBehind(lag.h.options("StreamFallingBehind")))).isNull();
      Stream idle = new Stream().trigger(1_000);
      for (int i = 0; i < 5; i++) {
        idle.batch(400, 600, 10_000, -1, -1, false, -1, true);
      }
      assertThat(idle.run(new StreamFallingBehind(idle.h.options("StreamFallingBehind")))).isNull();
    }
  }

  @Nested
  class State {
    @Test
    void growingStateWithoutAWatermarkFires() {
      Stream s = new Stream().trigger(1_000);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        s.batch(300, 700, 10_000, rows, rows * 100, false, -1, true);
      }
      assertThat(s.run(new StateWithoutWatermark(s.h.options("StateWithoutWatermark"))).render())
          .contains("stateful operator stateStoreSave holds 50,000 rows", "up from 10,000 4 batches ago");
    }

    @Test
    void aWatermarkOrSmallStateIsQuietForStateWithoutWatermark() {
      Stream s = new Stream().trigger(1_000);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        s.batch(300, 700, 10_000, rows, rows * 100, true, -1, true);
      }
      assertThat(s.run(new StateWithoutWatermark(s.h.options("StateWithoutWatermark")))).isNull();
      Stream small = new Stream().trigger(1_000);
      for (long rows = 1_000; rows <= 5_000; rows += 1_000) {
        small.batch(300, 700, 1_000, rows, rows * 100, false, -1, true);
      }
      assertThat(small.run(new StateWithoutWatermark(small.h.options("StateWithoutWatermark")))).isNull();
    }

    @Test
    void stateThatExpiresByTimeoutOrTtlIsQuietThoughItGrows() {
      // A mapGroupsWithState whose keys time out: state grows while new keys arrive faster than
      // old ones expire, and the progress shows rows removed.
      Stream timeout = new Stream().trigger(1_000);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        timeout.state("flatMapGroupsWithState", 300, 700, rows, rows / 10);
      }
      assertThat(timeout.state.stateExpires()).isTrue();
      assertThat(timeout.run(new StateWithoutWatermark(timeout.h.options("StateWithoutWatermark")))).isNull();
      // Rows removed once in the run are enough: timeouts expire keys in bursts.
      Stream burst = new Stream().trigger(1_000).state("stateStoreSave", 300, 700, 9_000, 2_000);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        burst.state("stateStoreSave", 300, 700, rows, 0);
      }
      assertThat(burst.run(new StateWithoutWatermark(burst.h.options("StateWithoutWatermark")))).isNull();
    }

    @Test
    void userManagedStateWithNothingRemovedYetIsJudgedOnlyAfterAnHour() {
      // A timeout longer than the run so far has not shown itself yet: quiet for the first hour.
      Stream young = new Stream().trigger(1_000);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        young.state("flatMapGroupsWithState", 300, 700, rows, 0);
      }
      assertThat(young.run(new StateWithoutWatermark(young.h.options("StateWithoutWatermark")))).isNull();
      // An hour of growth with nothing ever removed: no timeout is set.
      Stream old = new Stream().trigger(1_000).state("flatMapGroupsWithState", 300, 3_600_000, 5_000, 0);
      for (long rows = 10_000; rows <= 50_000; rows += 10_000) {
        old.state("flatMapGroupsWithState", 300, 700, rows, 0);
      }
      assertThat(old.run(new StateWithoutWatermark(old.h.options("StateWithoutWatermark"))).render())
          .contains("stateful operator flatMapGroupsWithState holds 50,000 rows");
    }

    @Test
    void stateMemoryGrowingOverTenBatchesDespiteAWatermarkFiresAndSuggestsRocksDbWhenLarge() {
      Stream s = new Stream().trigger(1_000);
      for (int i = 0; i < 10; i++) {
        s.batch(300, 700, 10_000, 1_000_000L * (i + 1), (600 + 100L * i) * MB, true, -1, true);
      }
      assertThat(s.run(new StateGrowth(s.h.options("StateGrowth"))).render())
          .contains("grew from 600 MB to 1.5 GB", "spark.sql.streaming.stateStore.providerClass=");
    }

    @Test
    void stateUnderTheFloorIsQuietForStateGrowth() {
      Stream s = new Stream().trigger(1_000);
      for (int i = 0; i < 10; i++) {
        s.batch(300, 700, 10_000, 1_000L * (i + 1), (100 + 10L * i) * MB, true, -1, true);
      }
      assertThat(s.run(new StateGrowth(s.h.options("StateGrowth")))).isNull();
    }
  }

  @Nested
  class Kafka {
    @Test
    void aDrainedBacklogBatchTenTimesTheSmallestFires() {
      Stream s = new Stream().trigger(1_000).batch(20_000, 0, 500_000, -1, -1, false, 0, true)
          .batch(400, 600, 2_000, -1, -1, false, 0, true).batch(400, 600, 1_800, -1, -1, false, 0, true);
      assertThat(s.run(new KafkaUnboundedBatch(s.h.options("KafkaUnboundedBatch"))).render())
          .contains("batch 0 read 500,000 rows", "maxOffsetsPerTrigger");
    }

    @Test
    void aCappedBacklogIsQuiet() {
      Stream s = new Stream().trigger(1_000).batch(5_000, 0, 500_000, -1, -1, false, 100_000, false)
          .batch(400, 600, 2_000, -1, -1, false, 0, true).batch(400, 600, 1_800, -1, -1, false, 0, true);
      assertThat(s.run(new KafkaUnboundedBatch(s.h.options("KafkaUnboundedBatch")))).isNull();
    }
  }

  @Test
  void oneFindingPerQueryRunCountedPerBatchAndLoggedAgainWhenItDoubles() {
    Stream s = new Stream().trigger(1_000);
    StateWithoutWatermark rule = new StateWithoutWatermark(s.h.options("StateWithoutWatermark"));
    io.sparkadvisor.findings.FindingLog log = new io.sparkadvisor.findings.FindingLog(java.util.List.of(), 100);
    java.util.List<Boolean> logged = new java.util.ArrayList<>();
    for (long rows = 10_000; rows <= 100_000; rows += 10_000) {
      s.batch(300, 700, 10_000, rows, rows * 100, false, -1, true);
      rule.onStreamProgress(s.state, s.h.context(rule));
      for (Finding f : s.h.findings()) {
        logged.add(log.report(f));
      }
      s.h.findings().clear();
    }
    // First at 50,000 rows (5 batches of growth): logged; 60,000-90,000: counted; 100,000 is twice
    // the level first logged: logged again.
    assertThat(logged).containsExactly(true, false, false, false, false, true);
    assertThat(log.ranked()).extracting(io.sparkadvisor.findings.FindingLog.Entry::count).containsExactlyInAnyOrder(5, 1);
  }

  @Test
  void aTerminatedQueryRunIsReleased() {
    AppState app = new AppState(10, 10);
    app.streamStarted(new AdvisorEvent.StreamStarted("q-1", "run-1", "events", T0, 1_000));
    assertThat(app.streams()).hasSize(1);
    assertThat(app.streamTerminated(new AdvisorEvent.StreamTerminated("q-1", "run-1", null))).isNotNull();
    assertThat(app.streams()).isEmpty();
  }
}
