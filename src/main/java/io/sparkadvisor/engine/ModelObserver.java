package io.sparkadvisor.engine;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;

/**
 * Told, on the advisor's thread, what each event changed in the model, after the model took it.
 * The meters are one: they count what the rules see, from the same copies, and never run on
 * Spark's thread. Every method has a no-op default.
 */
public interface ModelObserver {
  ModelObserver NONE = new ModelObserver() {};

  default void taskStarted(AdvisorEvent.TaskStart e) {}

  default void taskEnded(AdvisorEvent.TaskEnd e) {}

  default void stageSubmitted(AdvisorEvent.StageSubmitted e) {}

  default void stageCompleted(StageStats stage) {}

  default void jobStarted(AdvisorEvent.JobStart e) {}

  default void jobEnded(AdvisorEvent.JobEnd e) {}

  default void queryStarted(long executionId) {}

  /** {@code query} is null for a query the advisor never saw start (its events were dropped). */
  default void queryEnded(AdvisorEvent.SqlEnd e, SqlQuery query) {}

  /** {@code newBatch} is false for an idle trigger that reported the last batch again. */
  default void streamProgressed(StreamState stream, StreamBatch batch, boolean newBatch) {}

  default void streamTerminated(AdvisorEvent.StreamTerminated e) {}

  /**
   * A stage, job, query or the application opened or closed; {@code state} holds what is open,
   * including what the model closed because its end event was lost.
   */
  default void activeChanged(AppState state) {}

  /** Executors were added or removed; {@code state} holds the live ones. */
  default void executorsChanged(AppState state) {}
}
