package io.sparkadvisor.model;

/** A task attempt that has started and not yet ended; kept only while it runs. */
public record RunningTask(long taskId, int index, int partition, long launchTime, String executorId,
    String host, boolean speculative) {

  public long elapsedMs(long now) {
    return Math.max(0, now - launchTime);
  }
}
