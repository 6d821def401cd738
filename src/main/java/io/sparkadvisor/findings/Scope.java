package io.sparkadvisor.findings;

import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;

/**
 * Where a finding applies, in the terms of the Spark UI: a stage attempt with its call site and
 * job group, a SQL query, or the whole application.
 */
public record Scope(Kind kind, int stageId, int attempt, String callSite, String jobGroup,
    String description, long executionId, String shape) {

  public enum Kind { STAGE, QUERY, STREAM, APPLICATION }

  private static final int MAX_TEXT = 120;

  public Scope {
    shape = shape == null ? "" : shape;
  }

  /** A place without a shape of its own beyond its call site and description. */
  public Scope(Kind kind, int stageId, int attempt, String callSite, String jobGroup, String description,
      long executionId) {
    this(kind, stageId, attempt, callSite, jobGroup, description, executionId, "");
  }

  public static Scope stage(StageStats s) {
    return new Scope(Kind.STAGE, s.stageId(), s.attempt(), s.name(), s.jobGroup(), s.description(),
        s.executionId(), s.shape());
  }

  public static Scope query(SqlQuery q) {
    return new Scope(Kind.QUERY, -1, -1, "", null, q.description(), q.executionId(), q.shape());
  }

  /** A streaming query: its name (or id) in {@code description}, its id in {@code callSite}. */
  public static Scope stream(io.sparkadvisor.model.StreamState s) {
    return new Scope(Kind.STREAM, -1, -1, s.id(), null, s.name(), -1);
  }

  public static Scope application() {
    return new Scope(Kind.APPLICATION, -1, -1, "", null, null, -1);
  }

  /** How the place reads at the start of a finding. */
  public String where() {
    StringBuilder b = new StringBuilder();
    switch (kind) {
      case STAGE -> {
        b.append("stage ").append(stageId).append('.').append(attempt);
        if (!callSite.isEmpty()) {
          b.append(" '").append(clip(callSite)).append('\'');
        }
        appendJobContext(b);
        if (executionId >= 0) {
          b.append(" (SQL query ").append(executionId).append(')');
        }
      }
      case QUERY -> {
        b.append("SQL query ").append(executionId);
        if (description != null && !description.isEmpty()) {
          b.append(" '").append(clip(description)).append('\'');
        }
      }
      case STREAM -> {
        b.append("streaming query");
        if (description != null && !description.isEmpty()) {
          b.append(" '").append(clip(description)).append('\'');
        }
        b.append(" (id ").append(callSite).append(')');
      }
      case APPLICATION -> b.append("application");
    }
    return b.toString();
  }

  private void appendJobContext(StringBuilder b) {
    boolean group = jobGroup != null && !jobGroup.isEmpty();
    boolean desc = description != null && !description.isEmpty();
    if (group || desc) {
      b.append(" [");
      if (group) {
        b.append("job group '").append(clip(jobGroup)).append('\'');
      }
      if (desc) {
        b.append(group ? ", " : "").append("job '").append(clip(description)).append('\'');
      }
      b.append(']');
    }
  }

  /**
   * What makes two findings "the same place": the same call site and job group and the same
   * shape (a stage's lineage, a query's plan), so that the same stage or query run again in a loop
   * is counted rather than logged again, while different work launched from one call site (a
   * helper method, a loop over different inputs) is not.
   */
  public String shapeKey() {
    return switch (kind) {
      case STAGE -> "stage|" + callSite + "|" + (jobGroup == null ? "" : jobGroup) + "|" + shape;
      case QUERY -> "query|" + (description == null ? "" : description) + "|" + shape;
      case STREAM -> "stream|" + callSite;
      case APPLICATION -> "application";
    };
  }

  /**
   * Which run of the place this is: a stage attempt, a SQL execution, the application. A rule may
   * see the same evidence again in the same run (at a stage boundary, then at the query's end);
   * that is not a repeat of the finding.
   */
  public String occurrence() {
    return switch (kind) {
      case STAGE -> "stage:" + stageId + "." + attempt;
      case QUERY -> "query:" + executionId;
      case STREAM -> "stream:" + callSite;
      case APPLICATION -> "application";
    };
  }

  static String clip(String s) {
    String oneLine = s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT - 3) + "...";
  }
}
