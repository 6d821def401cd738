package io.sparkadvisor.engine;

import io.sparkadvisor.model.AdvisorEvent;

/**
 * Time as the events tell it: the newest event time seen, moved on by the time elapsed since it
 * was seen. Live, that is the wall clock; replaying an event log, it is the log's own time, so a
 * task of 2019 does not look five years old to the live checks. Owned by the advisor's thread.
 */
final class EventClock {
  private long newestMillis = -1;
  private long seenAtNanos;

  /** Takes in an event's own time, if it carries a trustworthy one. */
  void observe(AdvisorEvent e) {
    long t = timeOf(e);
    if (t > newestMillis) {
      newestMillis = t;
      seenAtNanos = System.nanoTime();
    }
  }

  /** Now, in the events' time; the wall clock until an event has told the time. */
  long now() {
    if (newestMillis < 0) {
      return System.currentTimeMillis();
    }
    return newestMillis + (System.nanoTime() - seenAtNanos) / 1_000_000;
  }

  /**
   * The time Spark stamped on the event, or -1. Heartbeats carry none (the capture stamps them
   * with the wall clock, and they are not in event logs); stage events are left out as their
   * times may be absent.
   */
  static long timeOf(AdvisorEvent e) {
    if (e instanceof AdvisorEvent.TaskEnd t) {
      return t.finishTime();
    } else if (e instanceof AdvisorEvent.TaskStart t) {
      return t.launchTime();
    } else if (e instanceof AdvisorEvent.JobStart j) {
      return j.time();
    } else if (e instanceof AdvisorEvent.JobEnd j) {
      return j.time();
    } else if (e instanceof AdvisorEvent.SqlStart s) {
      return s.time();
    } else if (e instanceof AdvisorEvent.SqlEnd s) {
      return s.time();
    } else if (e instanceof AdvisorEvent.ExecutorAdded a) {
      return a.time();
    } else if (e instanceof AdvisorEvent.ExecutorRemoved r) {
      return r.time();
    } else if (e instanceof AdvisorEvent.AppStart a) {
      return a.time();
    }
    return -1;
  }
}
