package io.sparkadvisor.model;

/** Failed attempts of one stage that share a reason: a count, their time and one example. */
public final class FailureGroup {
  private final FailureKind kind;
  private final String detail;
  private final String sampleMessage;
  private int count;
  private long timeMs;

  FailureGroup(FailureKind kind, String detail, String sampleMessage) {
    this.kind = kind;
    this.detail = detail;
    this.sampleMessage = sampleMessage;
  }

  void add(long durationMs) {
    count++;
    timeMs += durationMs;
  }

  public FailureKind kind() {
    return kind;
  }

  /** The exception class or reason; empty when there is nothing to add to the kind. */
  public String detail() {
    return detail;
  }

  public String sampleMessage() {
    return sampleMessage;
  }

  public int count() {
    return count;
  }

  public long timeMs() {
    return timeMs;
  }

  /** How the group reads in a finding, e.g. {@code out of memory} or {@code exception java.io.IOException}. */
  public String label() {
    return detail.isEmpty() ? kind.label() : kind.label() + " " + detail;
  }
}
