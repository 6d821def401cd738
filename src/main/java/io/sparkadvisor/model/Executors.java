package io.sparkadvisor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executors the application holds, and the core time they gave it: cores times the time each
 * executor was alive; per executor, its heap peak, GC and lost task time. Live executors are kept,
 * and the most recent removed ones.
 */
public final class Executors {
  /** Removed executors kept for the rules (oldest evicted). */
  static final int MAX_REMOVED = 1_000;

  private final Map<String, ExecutorStats> live = new HashMap<>();
  private final LinkedHashMap<String, ExecutorStats> gone = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ExecutorStats> eldest) {
      return size() > MAX_REMOVED;
    }
  };
  private long closedCoreMs;
  private int peakExecutors;
  private int added;
  private int removed;
  private long maxPeakHeapBytes = -1;
  private long maxPeakManagedBytes = -1;
  private final Set<String> withHeap = new HashSet<>();

  void added(AdvisorEvent.ExecutorAdded e) {
    ExecutorStats previous = live.put(e.executorId(),
        new ExecutorStats(e.executorId(), e.host(), e.cores(), e.time()));
    if (previous == null) {
      added++;
    }
    peakExecutors = Math.max(peakExecutors, live.size());
  }

  void removed(AdvisorEvent.ExecutorRemoved e) {
    ExecutorStats x = live.remove(e.executorId());
    if (x != null) {
      removed++;
      closedCoreMs += (long) x.cores() * Math.max(0, e.time() - x.addedAt());
      x.removed(e.reason(), e.time());
      gone.put(x.id(), x);
    }
  }

  /**
   * Takes a heartbeat; returns the GC pause and wall time since the executor's previous one,
   * {@code {gcMs, wallMs}}, for the stages it reports on, or null.
   */
  long[] metrics(AdvisorEvent.ExecutorMetrics e) {
    ExecutorStats x = find(e.executorId());
    long[] delta = x == null ? null : x.metrics(e);
    if (!"driver".equals(e.executorId())) {
      maxPeakHeapBytes = Math.max(maxPeakHeapBytes, e.peakJvmHeapBytes());
      maxPeakManagedBytes = Math.max(maxPeakManagedBytes, e.peakOnHeapManagedBytes());
      if (withHeap.size() < 100_000) {
        withHeap.add(e.executorId());
      }
    }
    return delta;
  }

  void taskEnded(AdvisorEvent.TaskEnd e) {
    ExecutorStats x = find(e.executorId());
    if (x != null) {
      x.taskEnded(e);
    }
  }

  void outputLost(AdvisorEvent.TaskResubmitted e) {
    ExecutorStats x = find(e.executorId());
    if (x != null) {
      x.outputLost(e.durationMs());
    }
  }

  private ExecutorStats find(String id) {
    ExecutorStats x = live.get(id);
    return x != null ? x : gone.get(id);
  }

  /** Executor core time held up to {@code now}, in core-milliseconds. */
  public long coreMillisHeld(long now) {
    long total = closedCoreMs;
    for (ExecutorStats l : live.values()) {
      total += (long) l.cores() * Math.max(0, now - l.addedAt());
    }
    return total;
  }

  public int activeExecutors() {
    return live.size();
  }

  public int activeCores() {
    int cores = 0;
    for (ExecutorStats l : live.values()) {
      cores += l.cores();
    }
    return cores;
  }

  /** Live executors, then removed ones (the most recent {@value #MAX_REMOVED}). */
  public List<ExecutorStats> all() {
    List<ExecutorStats> out = new ArrayList<>(live.values());
    out.addAll(gone.values());
    return out;
  }

  /** Removed executors, oldest first (the most recent {@value #MAX_REMOVED}). */
  public Collection<ExecutorStats> removedList() {
    return Collections.unmodifiableCollection(gone.values());
  }

  /** The highest peak JVM heap any executor (not the driver) reported over the application; -1 if none. */
  public long maxPeakHeapBytes() {
    return maxPeakHeapBytes;
  }

  /**
   * The highest heap any executor's (not the driver's) memory manager held for execution and
   * storage; -1 if none reported it.
   */
  public long maxPeakManagedBytes() {
    return maxPeakManagedBytes;
  }

  /** How many executors (not the driver) reported their heap. */
  public int executorsWithHeap() {
    return withHeap.size();
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
