package io.sparkadvisor.model;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One SQL execution: its plan as first planned and as AQE re-planned it, the session's changed SQL
 * conf, its jobs, and the values of its operators' SQL metrics as stages complete and the driver
 * posts its own. Metric values are keyed by accumulator id, so memory follows the plan's size.
 */
public final class SqlQuery {
  /** A plan with more metrics than this is not a plan a person wrote; the rest are ignored. */
  static final int MAX_METRICS = 50_000;

  private final long executionId;
  private final String description;
  private final long startTime;
  private final PlanNode initialPlan;
  private final String shape;
  private PlanNode plan;
  private final Map<String, String> modifiedConfigs;
  private final Map<Long, Long> metricValues = new HashMap<>();
  private final Set<Long> settled = new HashSet<>();
  private final Map<String, PlanNode.Estimate> estimates = new HashMap<>();
  private long endTime;
  private boolean endSeen;
  private String error;
  private int jobs;
  private String streamingQueryId;

  SqlQuery(long executionId, String description, long startTime, PlanNode plan,
      Map<String, String> modifiedConfigs) {
    this.executionId = executionId;
    this.description = description == null ? "" : description;
    this.startTime = startTime;
    this.initialPlan = plan;
    this.shape = plan.name().isEmpty() ? "" : Long.toHexString(plan.shape());
    this.plan = plan;
    this.modifiedConfigs = Map.copyOf(modifiedConfigs);
  }

  void jobStarted(String streamingQueryId) {
    jobs++;
    if (streamingQueryId != null) {
      this.streamingQueryId = streamingQueryId;
    }
  }

  void ended(long time, String error) {
    this.endTime = time;
    this.endSeen = true;
    this.error = error == null || error.isEmpty() ? null : error;
  }

  /**
   * Closed without its end event, which was lost: evicted when too many queries were open, or at
   * the application's end. The query rules never judge it unless its end arrives after all.
   */
  void closedUnseen(long time) {
    this.endTime = Math.max(1, Math.max(time, startTime));
  }

  /** AQE re-planned the query: later rules read the new plan. */
  void replanned(PlanNode newPlan) {
    if (newPlan != null && !newPlan.name().isEmpty()) {
      plan = newPlan;
    }
  }

  /**
   * Metric totals as Spark's driver holds them: at a stage's completion for the operators that
   * ran in it, or posted by the driver (file listing, broadcast build, write statistics). Each
   * value is final for the work done so far, so the id counts as settled.
   */
  void metricsUpdated(long[] ids, long[] values) {
    for (int i = 0; i < ids.length && i < values.length; i++) {
      if (metricValues.size() >= MAX_METRICS && !metricValues.containsKey(ids[i])) {
        continue;
      }
      metricValues.put(ids[i], Math.max(0, values[i]));
      settled.add(ids[i]);
    }
  }

  /** The optimizer's join size estimates, keyed by {@link PlanNode#joinSignature()}, once known. */
  void estimatesKnown(Map<String, PlanNode.Estimate> known) {
    if (estimates.size() < MAX_METRICS) {
      estimates.putAll(known);
    }
  }

  /** The optimizer's estimate of a join's two sides, or null when the advisor has none. */
  public PlanNode.Estimate estimate(PlanNode join) {
    return estimates.get(join.joinSignature());
  }

  public long executionId() {
    return executionId;
  }

  /** The SQL text or the action's call site, as Spark's SQL tab shows it. */
  public String description() {
    return description;
  }

  /** The shape of the plan as first planned ({@link PlanNode#shape()}), "" when it had none. */
  public String shape() {
    return shape;
  }

  public long startTime() {
    return startTime;
  }

  public long endTime() {
    return endTime;
  }

  public boolean isEnded() {
    return endTime > 0;
  }

  /** False for a query the advisor closed because its end event was lost. */
  public boolean endSeen() {
    return endSeen;
  }

  public String error() {
    return error;
  }

  /** The plan as it stands: the latest AQE re-plan, else the plan the query started with. */
  public PlanNode plan() {
    return plan;
  }

  /** The plan the query started with, before any AQE re-plan. */
  public PlanNode initialPlan() {
    return initialPlan;
  }

  /** SQL conf the session changed from the application's conf. */
  public Map<String, String> modifiedConfigs() {
    return modifiedConfigs;
  }

  public int jobCount() {
    return jobs;
  }

  /** True when a Structured Streaming query runs this execution (a micro-batch). */
  public boolean isStreaming() {
    return streamingQueryId != null
        || plan.anyMatch(n -> n.kind() == OperatorKind.STREAMING);
  }

  /** The value of an operator's metric so far, or -1 when it has no such metric or no value yet. */
  public long metric(PlanNode node, String name) {
    long id = node.metricId(name);
    Long v = id < 0 ? null : metricValues.get(id);
    return v == null ? -1 : v;
  }

  /** True when the metric's value came from a completed stage or from the driver. */
  public boolean isSettled(PlanNode node, String name) {
    long id = node.metricId(name);
    return id >= 0 && settled.contains(id);
  }

  /**
   * The rows an operator produced: its own {@code number of output rows}, the records an exchange
   * wrote, or, for operators that pass rows through unchanged (a sort, a codegen stage, an AQE
   * shuffle read), those of their only child. -1 when unknown.
   */
  public long rows(PlanNode node) {
    PlanNode source = rowSource(node);
    return source == null ? -1 : metric(source, rowMetric(source));
  }

  /** The metric that counts a row source's rows (see {@link #rowSource}). */
  public static String rowMetric(PlanNode source) {
    return source.kind() == OperatorKind.SHUFFLE_EXCHANGE && source.metricId("number of output rows") < 0
        ? "shuffle records written" : "number of output rows";
  }

  /**
   * The operator whose metric counts the rows {@code node} produces (see {@link #rows}): itself,
   * or the nearest descendant along operators that pass rows through. Null when none does.
   */
  public static PlanNode rowSource(PlanNode node) {
    for (PlanNode n = node; n != null; n = onlyChild(n)) {
      if (n.metricId("number of output rows") >= 0
          || n.kind() == OperatorKind.SHUFFLE_EXCHANGE && n.metricId("shuffle records written") >= 0) {
        return n;
      }
      if (!passesRowsThrough(n)) {
        return null;
      }
    }
    return null;
  }

  /**
   * The exchange a join side is read through: the first shuffle or broadcast exchange below
   * {@code side} along single-child operators, or null when the side does not shuffle.
   */
  public static PlanNode exchangeBelow(PlanNode side) {
    for (PlanNode n = side; n != null; n = onlyChild(n)) {
      if (n.kind() == OperatorKind.SHUFFLE_EXCHANGE || n.kind() == OperatorKind.BROADCAST_EXCHANGE) {
        return n;
      }
      if (!passesRowsThrough(n) && n.kind() != OperatorKind.REUSED_EXCHANGE) {
        return null;
      }
    }
    return null;
  }

  private static boolean passesRowsThrough(PlanNode n) {
    return switch (n.kind()) {
      case SORT, REUSED_EXCHANGE, ADAPTIVE_ROOT -> true;
      case OTHER -> PASS_THROUGH.contains(n.name()) || n.name().startsWith("WholeStageCodegen")
          || n.name().endsWith("QueryStage") || n.name().startsWith("AQEShuffleRead")
          || n.name().startsWith("CustomShuffleReader");
      default -> false;
    };
  }

  private static final Set<String> PASS_THROUGH = Set.of("InputAdapter", "Project",
      "ColumnarToRow", "RowToColumnar", "AdaptiveSparkPlan", "ShuffleQueryStage",
      "BroadcastQueryStage", "TableCacheQueryStage", "Coalesce");

  private static PlanNode onlyChild(PlanNode n) {
    List<PlanNode> c = n.children();
    return c.size() == 1 ? c.get(0) : null;
  }
}
