package io.sparkadvisor.model;

import java.util.Map;

/** One SQL execution: its plan as first planned, the session's changed SQL conf, its jobs. */
public final class SqlQuery {
  private final long executionId;
  private final String description;
  private final long startTime;
  private final PlanNode plan;
  private final Map<String, String> modifiedConfigs;
  private long endTime;
  private String error;
  private int jobs;
  private String streamingQueryId;

  SqlQuery(long executionId, String description, long startTime, PlanNode plan,
      Map<String, String> modifiedConfigs) {
    this.executionId = executionId;
    this.description = description == null ? "" : description;
    this.startTime = startTime;
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
    this.error = error == null || error.isEmpty() ? null : error;
  }

  public long executionId() {
    return executionId;
  }

  /** The SQL text or the action's call site, as Spark's SQL tab shows it. */
  public String description() {
    return description;
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

  public String error() {
    return error;
  }

  public PlanNode plan() {
    return plan;
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
}
