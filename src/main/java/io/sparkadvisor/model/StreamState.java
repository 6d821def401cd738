package io.sparkadvisor.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a streaming query: its trigger and a window of its most recent micro-batches, oldest
 * first. The window is bounded, so a query that runs for weeks holds as much as one that ran for
 * a minute.
 */
public final class StreamState {
  static final int WINDOW = 20;

  private final String id;
  private final String runId;
  private String name;
  private long triggerMs = -1;
  private long firstBatchStartMillis = -1;
  private boolean stateExpires;
  private final ArrayDeque<StreamBatch> recent = new ArrayDeque<>(WINDOW);

  StreamState(String id, String runId, String name) {
    this.id = id;
    this.runId = runId;
    this.name = name == null ? "" : name;
  }

  void started(AdvisorEvent.StreamStarted e) {
    this.triggerMs = e.triggerMs();
    if (!e.name().isEmpty()) {
      this.name = e.name();
    }
  }

  void progressed(StreamBatch b) {
    // A trigger that found no new data reports the last batch id again with no rows: not a batch.
    if (!recent.isEmpty() && recent.peekLast().batchId() == b.batchId()) {
      return;
    }
    if (recent.size() == WINDOW) {
      recent.removeFirst();
    }
    recent.addLast(b);
    if (firstBatchStartMillis < 0) {
      firstBatchStartMillis = b.startMillis();
    }
    stateExpires |= b.stateRowsRemoved() > 0 || b.stateExpiryDeclared();
    if (!b.name().isEmpty()) {
      name = b.name();
    }
  }

  public String id() {
    return id;
  }

  public String runId() {
    return runId;
  }

  /** The query's name, or "" when it has none. */
  public String name() {
    return name;
  }

  /** The processing-time trigger in ms; 0 as soon as possible; -2 Once/AvailableNow; -1 unknown. */
  public long triggerMs() {
    return triggerMs;
  }

  /** When the first batch seen of this run started (epoch ms), or -1. */
  public long firstBatchStartMillis() {
    return firstBatchStartMillis;
  }

  /**
   * True once a batch of this run removed state rows (by a timeout, a TTL, {@code state.remove()}
   * or a watermark) or reported state with a TTL or timers: its state does expire.
   */
  public boolean stateExpires() {
    return stateExpires;
  }

  /** The most recent micro-batches, oldest first (at most 20). */
  public List<StreamBatch> recent() {
    return new ArrayList<>(recent);
  }

  /** The last {@code n} batches, oldest first; fewer when fewer were seen. */
  public List<StreamBatch> last(int n) {
    List<StreamBatch> all = recent();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }
}
