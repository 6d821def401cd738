package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import java.util.List;
import java.util.function.Function;

/** Every rule that ships with the advisor, in the order they run. */
public final class BuiltInRules {
  private BuiltInRules() {}

  /** A rule's class, for its {@link RuleInfo}, and how to make it from its options. */
  public record Entry(Class<? extends Rule> type, Function<RuleOptions, Rule> factory) {
    public RuleInfo info() {
      return type.getAnnotation(RuleInfo.class);
    }
  }

  public static final List<Entry> ALL = List.of(
      new Entry(AqeDisabled.class, AqeDisabled::new),
      new Entry(TaskSkew.class, TaskSkew::new),
      new Entry(StragglerTask.class, StragglerTask::new),
      new Entry(DiskSpill.class, DiskSpill::new),
      new Entry(GcPressure.class, GcPressure::new),
      new Entry(TinyTasks.class, TinyTasks::new),
      new Entry(TaskFailures.class, TaskFailures::new),
      new Entry(LargeCollect.class, LargeCollect::new),
      new Entry(IdleCores.class, IdleCores::new),
      new Entry(ExecutorLost.class, ExecutorLost::new),
      new Entry(ExecutorMemoryPressure.class, ExecutorMemoryPressure::new),
      new Entry(ExecutorMemoryOversized.class, ExecutorMemoryOversized::new),
      new Entry(MissingBroadcastJoin.class, MissingBroadcastJoin::new),
      new Entry(OversizedBroadcast.class, OversizedBroadcast::new),
      new Entry(NestedLoopJoin.class, NestedLoopJoin::new),
      new Entry(CartesianProduct.class, CartesianProduct::new),
      new Entry(SinglePartitionExchange.class, SinglePartitionExchange::new),
      new Entry(JoinExplosion.class, JoinExplosion::new),
      new Entry(SmallFilesRead.class, SmallFilesRead::new),
      new Entry(SmallFilesWritten.class, SmallFilesWritten::new),
      new Entry(SkewedJoin.class, SkewedJoin::new),
      new Entry(MissingPartitionFilter.class, MissingPartitionFilter::new),
      new Entry(StreamBatchOverrun.class, StreamBatchOverrun::new),
      new Entry(StreamFallingBehind.class, StreamFallingBehind::new),
      new Entry(StateWithoutWatermark.class, StateWithoutWatermark::new),
      new Entry(StateGrowth.class, StateGrowth::new),
      new Entry(KafkaUnboundedBatch.class, KafkaUnboundedBatch::new));
}
