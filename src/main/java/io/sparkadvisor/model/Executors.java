package io.sparkadvisor.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Executors the application holds, and the core time they gave it: cores times the time each
 * executor was alive. Only live executors are kept.
 */
public final class Executors {
  private record Live(int cores, long addedAt) {}

  private final Map<String, Live> live = new HashMap<>();
  private long closedCoreMs;
  private int peakExecutors;
  private int added;
  private int removed;

  void added(AdvisorEvent.ExecutorAdded e) {
    Live previous = live.put(e.executorId(), new Live(Math.max(0, e.cores()), e.time()));
    if (previous == null) {
      added++;
    }
    peakExecutors = Math.max(peakExecutors, live.size());
  }

  void removed(AdvisorEvent.ExecutorRemoved e) {
    Live gone = live.remove(e.executorId());
    if (gone != null) {
      removed++;
      closedCoreMs += (long) gone.cores() * Math.max(0, e.time() - gone.addedAt());
    }
  }

  /** Executor core time held up to {@code now}, in core-milliseconds. */
  public long coreMillisHeld(long now) {
    long total = closedCoreMs;
    for (Live l : live.values()) {
      total += (long) l.cores() * Math.max(0, now - l.addedAt());
    }
    return total;
  }

  public int activeExecutors() {
    return live.size();
  }

  public int activeCores() {
    int cores = 0;
    for (Live l : live.values()) {
      cores += l.cores();
    }
    return cores;
  }

  public int peakExecutors() {
    return peakExecutors;
  }

  public int addedExecutors() {
    return added;
  }

  public int removedExecutors() {
    return removed;
  }
}
