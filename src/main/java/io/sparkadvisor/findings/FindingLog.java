package io.sparkadvisor.findings;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deduplicates findings and fans them out to the sinks. The first finding at a place goes to
 * every sink; the same finding at the same place in a later run (the same stage shape or query in
 * a loop) is counted and its cost added, not logged again; the same finding for the same run (a
 * query judged at a stage boundary and again at its end) is ignored. Keeps at most
 * {@code maxPlaces} places, oldest evicted.
 */
public final class FindingLog {

  /** A place's first finding, how often it was seen and the cost of all sightings. */
  public static final class Entry {
    private final Finding first;
    /** The runs seen lately, so that a late re-check of an earlier, overlapping run is not a repeat. */
    private final java.util.LinkedHashSet<String> recentRuns = new java.util.LinkedHashSet<>();
    private int count = 1;
    private long totalCostMillis;

    Entry(Finding first) {
      this.first = first;
      this.recentRuns.add(first.occurrence());
      this.totalCostMillis = first.costMillis();
    }

    public Finding first() {
      return first;
    }

    public int count() {
      return count;
    }

    public long totalCostMillis() {
      return totalCostMillis;
    }
  }

  private static final int RECENT_RUNS = 16;

  private final List<FindingSink> sinks;
  private final LinkedHashMap<String, Entry> places;
  private long total;

  public FindingLog(List<FindingSink> sinks, int maxPlaces) {
    this.sinks = List.copyOf(sinks);
    this.places = new LinkedHashMap<>(64, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > maxPlaces;
      }
    };
  }

  /**
   * Returns true when the finding was new at its place and so was emitted. The same finding in the
   * same run of its place (a query judged at a stage boundary and again at its end) is ignored.
   */
  public boolean report(Finding f) {
    Entry e = places.get(f.dedupKey());
    if (e != null && e.recentRuns.contains(f.occurrence())) {
      return false;
    }
    total++;
    if (e == null) {
      places.put(f.dedupKey(), new Entry(f));
      for (FindingSink s : sinks) {
        s.emit(f);
      }
      return true;
    }
    e.count++;
    e.recentRuns.add(f.occurrence());
    if (e.recentRuns.size() > RECENT_RUNS) {
      e.recentRuns.remove(e.recentRuns.iterator().next());
    }
    e.totalCostMillis += f.costMillis();
    for (FindingSink s : sinks) {
      s.repeated(f, e.count);
    }
    return false;
  }

  /** Every place with a finding, highest total cost first. */
  public List<Entry> ranked() {
    List<Entry> list = new ArrayList<>(places.values());
    list.sort(Comparator.comparingLong(Entry::totalCostMillis).reversed()
        .thenComparing(e -> e.first().severity()));
    return list;
  }

  /** All findings reported, repeats included. */
  public long total() {
    return total;
  }

  public void close() {
    for (FindingSink s : sinks) {
      s.close();
    }
  }
}
