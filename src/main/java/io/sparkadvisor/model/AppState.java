package io.sparkadvisor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The advisor's picture of the application, owned by the advisor's thread alone: active stages,
 * a capped history of completed ones, live SQL executions, executors and totals. Completed stages
 * beyond the cap and ended queries beyond theirs are evicted oldest first.
 *
 * <p>Under a full queue an end event can be lost. What it would have closed is closed here all the
 * same, marked unseen ({@link StageStats#completionSeen()}, {@link SqlQuery#endSeen()}) and never
 * judged by the rules: a stage at its job's end, anything still open at the application's end, and
 * the oldest stage, job or query once more are open than {@link #MIN_OPEN} or the retention cap.
 */
public final class AppState {
  /** Open stages, jobs and queries allowed at least, whatever the retention caps. */
  static final int MIN_OPEN = 500;

  private final int maxRetainedStages;
  private final int maxRetainedQueries;
  private final int maxOpenStages;
  private final int maxOpenQueries;

  private String appName = "";
  private String appId = "";
  private long startTime;
  private long endTime;

  private final LinkedHashMap<Long, StageStats> activeStages = new LinkedHashMap<>();
  private final LinkedHashMap<Long, StageStats> completedStages;
  /** Running jobs and their stage ids; a job whose end was lost is evicted beyond the cap. */
  private final LinkedHashMap<Long, int[]> activeJobs;
  private final LinkedHashMap<Long, SqlQuery> activeQueries = new LinkedHashMap<>();
  private final LinkedHashMap<Long, SqlQuery> endedQueries;
  private final LinkedHashMap<String, StreamState> streams = evictingStreams(MAX_STREAMS);
  private final Executors executors = new Executors();
  private final AppTotals totals = new AppTotals();

  public AppState(int maxRetainedStages, int maxRetainedQueries) {
    this.maxRetainedStages = maxRetainedStages;
    this.maxRetainedQueries = maxRetainedQueries;
    this.maxOpenStages = Math.max(MIN_OPEN, maxRetainedStages);
    this.maxOpenQueries = Math.max(MIN_OPEN, maxRetainedQueries);
    this.completedStages = evictingMap(maxRetainedStages);
    this.activeJobs = evictingMap(maxOpenStages);
    this.endedQueries = evictingMap(maxRetainedQueries);
  }

  private static <V> LinkedHashMap<Long, V> evictingMap(int cap) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
        return size() > cap;
      }
    };
  }

  /** Streaming query runs watched at once; beyond it, the longest silent is dropped. */
  static final int MAX_STREAMS = 200;

  private static LinkedHashMap<String, StreamState> evictingStreams(int cap) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, StreamState> eldest) {
        return size() > cap;
      }
    };
  }

  public void streamStarted(AdvisorEvent.StreamStarted e) {
    streams.computeIfAbsent(e.runId(), k -> new StreamState(e.id(), e.runId(), e.name())).started(e);
  }

  /** Adds a micro-batch to its query run and returns the run. */
  public StreamState streamProgressed(StreamBatch b) {
    StreamState s = streams.computeIfAbsent(b.runId(), k -> new StreamState(b.id(), b.runId(), b.name()));
    s.progressed(b);
    return s;
  }

  /** A terminated query run's window is released; returns it, or null when unknown. */
  public StreamState streamTerminated(AdvisorEvent.StreamTerminated e) {
    return streams.remove(e.runId());
  }

  /** Query runs being watched. */
  public Collection<StreamState> streams() {
    return Collections.unmodifiableCollection(streams.values());
  }

  static long key(int stageId, int attempt) {
    return ((long) stageId << 32) | (attempt & 0xffffffffL);
  }

  public void appStarted(AdvisorEvent.AppStart e) {
    appName = e.appName() == null ? "" : e.appName();
    appId = e.appId() == null ? "" : e.appId();
    startTime = e.time();
  }

  /** Closes, unseen, every stage and query whose end never came. */
  public void appEnded(AdvisorEvent.AppEnd e) {
    endTime = e.time();
    for (StageStats s : activeStages.values()) {
      closeUnseen(s, e.time());
    }
    activeStages.clear();
    for (SqlQuery q : activeQueries.values()) {
      closeUnseen(q, e.time());
    }
    activeQueries.clear();
    activeJobs.clear();
  }

  public void executorAdded(AdvisorEvent.ExecutorAdded e) {
    executors.added(e);
  }

  public void executorMetrics(AdvisorEvent.ExecutorMetrics e) {
    long[] gcAndWall = executors.metrics(e);
    for (int i = 0; gcAndWall != null && i < e.stageIds().length; i++) {
      StageStats s = activeStages.get(key(e.stageIds()[i], e.stageAttempts()[i]));
      if (s != null) {
        s.executorGc(gcAndWall[0], gcAndWall[1]);
      }
    }
  }

  public void executorRemoved(AdvisorEvent.ExecutorRemoved e) {
    executors.removed(e);
  }

  /** Records the job against its SQL execution; returns that query when this is its first job. */
  public SqlQuery jobStarted(AdvisorEvent.JobStart e) {
    totals.jobStarted();
    activeJobs.put((long) e.jobId(), e.stageIds() == null ? new int[0] : e.stageIds().clone());
    SqlQuery q = e.executionId() >= 0 ? activeQueries.get(e.executionId()) : null;
    if (q == null) {
      return null;
    }
    boolean first = q.jobCount() == 0;
    q.jobStarted(e.streamingQueryId());
    return first ? q : null;
  }

  /**
   * Closes what the job's end leaves open and returns it. Spark posts the completion of each of a
   * job's stages before the job's end (a cancelled job's running stages complete as failed), so an
   * attempt of one of its stages still open here lost its completion event; it is closed unseen,
   * unless a job still running shares the stage. Spark's AppStatusListener likewise settles a
   * job's stages at its end (it marks the pending ones skipped).
   */
  public List<StageStats> jobEnded(AdvisorEvent.JobEnd e) {
    int[] stageIds = activeJobs.remove((long) e.jobId());
    if (stageIds == null || activeStages.isEmpty()) {
      return List.of();
    }
    List<StageStats> closed = new ArrayList<>();
    for (Iterator<StageStats> it = activeStages.values().iterator(); it.hasNext(); ) {
      StageStats s = it.next();
      if (contains(stageIds, s.stageId()) && !runningJobHas(s.stageId())) {
        it.remove();
        closeUnseen(s, e.time());
        closed.add(s);
      }
    }
    return closed;
  }

  private boolean runningJobHas(int stageId) {
    for (int[] ids : activeJobs.values()) {
      if (contains(ids, stageId)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(int[] ids, int id) {
    for (int i : ids) {
      if (i == id) {
        return true;
      }
    }
    return false;
  }

  private void closeUnseen(StageStats s, long time) {
    s.closedUnseen(time);
    completedStages.put(key(s.stageId(), s.attempt()), s);
  }

  private void closeUnseen(SqlQuery q, long time) {
    q.closedUnseen(time);
    endedQueries.put(q.executionId(), q);
  }

  /** Opens the stage attempt; beyond the cap the oldest open one, whose end was lost, is closed. */
  public StageStats stageSubmitted(AdvisorEvent.StageSubmitted e) {
    StageStats s = activeStage(e.stageId(), e.attempt());
    SqlQuery q = e.executionId() >= 0 ? query(e.executionId()) : null;
    // An AQE stage is named after its query (its call site or description), not the pool's frames.
    s.submitted(q != null && e.namedByThreadPool() && !q.description().isEmpty() ? e.withName(q.description()) : e);
    if (q != null) {
      s.queryShape(q.shape());
    }
    if (activeStages.size() > maxOpenStages) {
      Iterator<StageStats> oldest = activeStages.values().iterator();
      StageStats lost = oldest.next();
      oldest.remove();
      closeUnseen(lost, e.submissionTime());
    }
    return s;
  }

  /**
   * Moves the stage to the completed history and returns it for the rules. A stage closed unseen
   * whose completion arrives after all is completed as usual.
   */
  public StageStats stageCompleted(AdvisorEvent.StageCompleted e) {
    long k = key(e.stageId(), e.attempt());
    StageStats s = activeStages.remove(k);
    if (s == null) {
      StageStats closed = completedStages.get(k);
      s = closed != null && !closed.completionSeen() ? closed : new StageStats(e.stageId(), e.attempt());
    }
    s.completed(e);
    completedStages.put(k, s);
    SqlQuery q = s.executionId() >= 0 ? query(s.executionId()) : null;
    if (q != null) {
      q.metricsUpdated(e.sqlMetricIds(), e.sqlMetricValues());
    }
    totals.stageCompleted(e.failureReason() != null);
    return s;
  }

  public void taskStarted(AdvisorEvent.TaskStart e) {
    StageStats s = activeStages.get(key(e.stageId(), e.attempt()));
    if (s != null) {
      s.taskStarted(e);
    }
  }

  public void taskEnded(AdvisorEvent.TaskEnd e) {
    totals.taskEnded(e);
    executors.taskEnded(e);
    long k = key(e.stageId(), e.attempt());
    StageStats s = activeStages.get(k);
    if (s == null) {
      // A task of a stage already completed (a speculative copy, a zombie attempt): it counts in
      // the totals and in the stage's history, but the rules have judged that stage already. A
      // stage never seen (its events were dropped, or it was evicted) counts in the totals only.
      s = completedStages.get(k);
    }
    if (s != null) {
      s.taskEnded(e);
    }
  }

  /** An earlier success re-posted as lost: counted on its stage attempt, never as a new task. */
  public void taskResubmitted(AdvisorEvent.TaskResubmitted e) {
    long k = key(e.stageId(), e.attempt());
    StageStats s = activeStages.get(k);
    if (s == null) {
      s = completedStages.get(k);
    }
    if (s != null) {
      s.resubmitted();
    }
    executors.outputLost(e);
    totals.taskResubmitted();
  }

  public SqlQuery queryStarted(AdvisorEvent.SqlStart e, PlanNode plan, Map<String, String> modified) {
    SqlQuery q = new SqlQuery(e.executionId(), e.description(), e.time(), plan, modified);
    activeQueries.put(e.executionId(), q);
    if (activeQueries.size() > maxOpenQueries) { // the oldest lost its end
      Iterator<SqlQuery> oldest = activeQueries.values().iterator();
      SqlQuery lost = oldest.next();
      oldest.remove();
      closeUnseen(lost, e.time());
    }
    return q;
  }

  /** AQE re-planned the query; returns it, or null when the query is unknown. */
  public SqlQuery queryReplanned(long executionId, PlanNode plan) {
    SqlQuery q = query(executionId);
    if (q != null) {
      q.replanned(plan);
    }
    return q;
  }

  /** The driver posted metric values for the query; returns it, or null when unknown. */
  public SqlQuery queryMetricsPosted(AdvisorEvent.SqlDriverMetrics e) {
    SqlQuery q = query(e.executionId());
    if (q != null) {
      q.metricsUpdated(e.ids(), e.values());
    }
    return q;
  }

  /** The optimizer's join estimates became known for the query. */
  public void queryEstimated(long executionId, Map<String, PlanNode.Estimate> estimates) {
    SqlQuery q = query(executionId);
    if (q != null && !estimates.isEmpty()) {
      q.estimatesKnown(estimates);
    }
  }

  /**
   * Estimates whose query is not named: they go to the queries with joins of the same signature.
   * Adding estimates already known changes nothing, so a QueryExecution seen twice is harmless.
   */
  public void estimatesArrived(Map<String, PlanNode.Estimate> estimates) {
    if (estimates.isEmpty()) {
      return;
    }
    for (Map<Long, SqlQuery> queries : List.of(activeQueries, endedQueries)) {
      for (SqlQuery q : queries.values()) {
        boolean mine = q.plan().anyMatch(n -> n.kind().isJoin() && estimates.containsKey(n.joinSignature()))
            || q.initialPlan().anyMatch(n -> n.kind().isJoin() && estimates.containsKey(n.joinSignature()));
        if (mine) {
          q.estimatesKnown(estimates);
        }
      }
    }
  }

  /** Ends the query and returns it for the rules; also one closed unseen whose end came late. */
  public SqlQuery queryEnded(AdvisorEvent.SqlEnd e) {
    SqlQuery q = activeQueries.remove(e.executionId());
    if (q == null) {
      SqlQuery closed = endedQueries.get(e.executionId());
      q = closed != null && !closed.endSeen() ? closed : null;
    }
    if (q != null) {
      q.ended(e.time(), e.error());
      endedQueries.put(e.executionId(), q);
    }
    return q;
  }

  /** The SQL execution with this id, running or among the retained ended ones; null if unknown. */
  public SqlQuery query(long executionId) {
    SqlQuery q = activeQueries.get(executionId);
    return q != null ? q : endedQueries.get(executionId);
  }

  private StageStats activeStage(int stageId, int attempt) {
    return activeStages.computeIfAbsent(key(stageId, attempt), k -> new StageStats(stageId, attempt));
  }

  public Collection<StageStats> activeStages() {
    return Collections.unmodifiableCollection(activeStages.values());
  }

  public Collection<StageStats> completedStages() {
    return Collections.unmodifiableCollection(completedStages.values());
  }

  public int maxRetainedStages() {
    return maxRetainedStages;
  }

  public int maxRetainedQueries() {
    return maxRetainedQueries;
  }

  public Executors executors() {
    return executors;
  }

  public AppTotals totals() {
    return totals;
  }

  public String appName() {
    return appName;
  }

  public String appId() {
    return appId;
  }

  public long startTime() {
    return startTime;
  }

  public long endTime() {
    return endTime;
  }

  /** Jobs started whose end has not been seen (bounded like the stages). */
  public int activeJobCount() {
    return activeJobs.size();
  }

  public int activeQueryCount() {
    return activeQueries.size();
  }
}
