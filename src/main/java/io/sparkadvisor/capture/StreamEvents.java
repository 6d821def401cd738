package io.sparkadvisor.capture;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.StreamBatch;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StateOperatorProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Structured Streaming's query events, which Spark posts to the listener bus as well: no
 * StreamingQueryListener is needed. A progress is copied into a {@link StreamBatch}: a few numbers
 * per source and stateful operator.
 */
final class StreamEvents {
  private StreamEvents() {}

  static boolean capture(SparkListenerEvent e, Consumer<AdvisorEvent> sink) {
    if (e instanceof StreamingQueryListener.QueryProgressEvent p) {
      sink.accept(new AdvisorEvent.StreamProgress(batch(p.progress())));
      return true;
    }
    if (e instanceof StreamingQueryListener.QueryStartedEvent s) {
      sink.accept(new AdvisorEvent.StreamStarted(s.id().toString(), s.runId().toString(),
          s.name() == null ? "" : s.name(), System.currentTimeMillis(), () -> triggerMillis(s.id(), s.runId())));
      return true;
    }
    if (e instanceof StreamingQueryListener.QueryTerminatedEvent t) {
      sink.accept(new AdvisorEvent.StreamTerminated(t.id().toString(), t.runId().toString(),
          Scala.stringOr(t.exception(), null)));
      return true;
    }
    return false;
  }

  static StreamBatch batch(StreamingQueryProgress p) {
    Map<String, Long> durations = new HashMap<>();
    if (p.durationMs() != null) {
      p.durationMs().forEach((k, v) -> {
        if (k != null && v != null) {
          durations.put(k, v);
        }
      });
    }
    StateOperatorProgress[] ops = p.stateOperators() == null ? new StateOperatorProgress[0] : p.stateOperators();
    String[] names = new String[ops.length];
    long rows = ops.length == 0 ? -1 : 0;
    long memory = ops.length == 0 ? -1 : 0;
    long removed = ops.length == 0 ? -1 : 0;
    boolean expiry = false;
    for (int i = 0; i < ops.length; i++) {
      names[i] = ops[i].operatorName();
      rows += ops[i].numRowsTotal();
      memory += ops[i].memoryUsedBytes();
      removed += Math.max(0, ops[i].numRowsRemoved());
      expiry |= declaresExpiry(ops[i].customMetrics());
    }
    boolean kafka = false;
    long behind = -1;
    boolean drained = true;
    for (SourceProgress s : p.sources() == null ? new SourceProgress[0] : p.sources()) {
      String d = s.description() == null ? "" : s.description();
      if (d.startsWith("Kafka")) {
        kafka = true;
        String max = s.metrics() == null ? null : s.metrics().get("maxOffsetsBehindLatest");
        if (max != null) {
          try {
            behind = Math.max(0, behind) + Long.parseLong(max.trim());
          } catch (NumberFormatException ignored) {
            // a metric we cannot read is a metric we do not have
          }
        }
      }
      drained &= s.latestOffset() == null || s.latestOffset().equals(s.endOffset());
    }
    boolean watermark = p.eventTime() != null && p.eventTime().containsKey("watermark");
    return new StreamBatch(p.id().toString(), p.runId().toString(), p.name() == null ? "" : p.name(), p.batchId(),
        p.timestamp(), p.batchDuration(), durations, p.numInputRows(), p.inputRowsPerSecond(),
        p.processedRowsPerSecond(), watermark, names, rows, memory, kafka, behind, drained, removed, expiry);
  }

  /** transformWithState's metrics of state variables with a TTL, and of registered timers. */
  private static final java.util.List<String> EXPIRY_METRICS = java.util.List.of("numValueStateWithTTLVars",
      "numListStateWithTTLVars", "numMapStateWithTTLVars", "numRegisteredTimers");

  private static boolean declaresExpiry(Map<String, Long> custom) {
    if (custom == null) {
      return false;
    }
    for (String metric : EXPIRY_METRICS) {
      Long v = custom.get(metric);
      if (v != null && v > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The query's processing-time trigger, read on the advisor's thread from objects that already
   * exist: 0 for "as soon as possible", -2 for a trigger that runs a bounded set of batches (Once,
   * AvailableNow), -1 when it cannot be told. No event carries the trigger, and asking the session
   * ({@code spark.streams().get(id)}) would build its StreamingQueryManager (registering a listener
   * bus, loading user listener classes) for a session that never ran a stream, and take the
   * manager's lock. Instead: the default session's SharedState, only if its lazy field is already
   * set (or, for a session made by newSession(), the parent's it was created with), and its map of active queries (a ConcurrentHashMap shared by every session of the
   * application, filled before the query's start event is posted). A query that ended before
   * this runs, or another run of it, leaves the trigger unknown. Reflection, because the classes
   * differ across Spark versions.
   */
  static long triggerMillis(java.util.UUID id, java.util.UUID runId) {
    try {
      scala.Option<? extends org.apache.spark.sql.SparkSession> session =
          org.apache.spark.sql.SparkSession.getDefaultSession();
      if (session.isEmpty()) {
        return -1;
      }
      Object shared = initializedField(session.get(), "sharedState");
      if (shared == null && initializedField(session.get(), "existingSharedState") instanceof scala.Option<?> o
          && o.isDefined()) {
        shared = o.get(); // a session made by newSession(): its parent's, handed over at creation
      }
      Object active = shared == null ? null : call(shared, "activeStreamingQueries");
      Object execution = active instanceof java.util.Map<?, ?> m ? m.get(id) : null;
      if (execution == null || !runId.equals(call(execution, "runId"))) {
        return -1;
      }
      Object trigger = call(execution, "trigger");
      if (trigger == null) {
        return -1;
      }
      String kind = trigger.getClass().getSimpleName();
      if (kind.startsWith("ProcessingTime")) {
        Object ms = call(trigger, "intervalMs");
        return ms instanceof Long l ? l : -1;
      }
      return kind.contains("OneTime") || kind.startsWith("Once") || kind.startsWith("AvailableNow") ? -2 : -1;
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }

  /**
   * The backing field of a Scala lazy val, or null while it is not initialized: reading the field
   * never runs the initializer, as calling the accessor would.
   */
  static Object initializedField(Object target, String name) {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        java.lang.reflect.Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
      } catch (NoSuchFieldException e) {
        // declared further up
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  private static Object call(Object target, String method) {
    try {
      Method m = target.getClass().getMethod(method);
      return m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
