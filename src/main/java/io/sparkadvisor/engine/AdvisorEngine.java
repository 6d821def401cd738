package io.sparkadvisor.engine;

import io.sparkadvisor.findings.FindingLog;
import io.sparkadvisor.findings.Summary;
import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.model.StreamBatch;
import io.sparkadvisor.model.StreamState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisor's own daemon thread. Spark's listener thread only {@link #offer}s copied events
 * into a bounded queue and returns; this thread applies them to the model, runs the rules, logs
 * findings and writes files. At application end it logs the summary and stops.
 *
 * <p>One FIFO queue, so events keep their order: a lock-free ring ({@link Inbox}) that Spark's
 * thread hands events to without a lock or a wake-up, drained here in batches; between drains
 * this thread parks for a few milliseconds, or sleeps until its next live check while nothing
 * comes. Task events and the other frequent ones are taken only while
 * fewer than {@code queueCapacity} events wait; the events that open and close things (stages,
 * jobs, SQL executions, executors, streaming queries, the application) may also use a reserve
 * above it, so a flood of task events cannot crowd them out. Whatever does not fit is counted as
 * dropped, logged once, and never blocks Spark's thread; should even the reserve fill, the model
 * closes what a lost end leaves open ({@link AppState}). The application's end needs no room at
 * all: {@link #finish} hands it over in a slot of its own and wakes this thread.
 */
public final class AdvisorEngine implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(AdvisorEngine.class);
  private static final int DRAIN_BATCH = 4_096;
  /** Room kept for lifecycle events above the capacity: a quarter of it, at least this much. */
  static final int MIN_RESERVE = 1_024;

  /** What the engine needs besides the events; built once by the listener. */
  public record Settings(int queueCapacity, long liveCheckIntervalMillis, boolean summaryEnabled,
      long taskCpus) {}

  private final Settings settings;
  private final Inbox inbox;
  private final AppState state;
  private final RuleRunner rules;
  private final FindingLog findings;
  private final ModelObserver observer;
  private final Thread thread;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final EventClock clock = new EventClock();

  /** The application's end and when to stop working through the queue for it. */
  private record Ending(AdvisorEvent.AppEnd end, long drainByNanos) {}

  private volatile Ending ending;

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong lifecycleDropped = new AtomicLong();
  private final AtomicReference<Throwable> captureFailure = new AtomicReference<>();
  private volatile long lagMillis;
  private final AtomicLong cpuHighWater = new AtomicLong();

  private boolean ended;
  private boolean dropLogged;
  private boolean lifecycleDropLogged;
  private boolean captureFailureLogged;
  private boolean processFailureLogged;
  private boolean planFailureLogged;

  public AdvisorEngine(Settings settings, AppState state, RuleRunner rules, FindingLog findings) {
    this(settings, state, rules, findings, ModelObserver.NONE);
  }

  public AdvisorEngine(Settings settings, AppState state, RuleRunner rules, FindingLog findings,
      ModelObserver observer) {
    this.settings = settings;
    this.observer = observer;
    int capacity = settings.queueCapacity();
    this.inbox = new Inbox(capacity, Math.max(MIN_RESERVE, capacity / 4));
    this.state = state;
    this.rules = rules;
    this.findings = findings;
    this.thread = new Thread(this, "spark-advisor");
    this.thread.setDaemon(true);
    this.inbox.consumedBy(thread);
  }

  public void start() {
    thread.start();
  }

  /**
   * Called on Spark's listener thread: never blocks, never throws. The application's end is not
   * offered: it goes through {@link #finish}.
   */
  public void offer(AdvisorEvent event) {
    boolean lifecycle = isLifecycle(event);
    if (!inbox.offer(event, lifecycle)) {
      dropped.incrementAndGet();
      if (lifecycle) {
        lifecycleDropped.incrementAndGet();
      }
    }
  }

  /** Events that open or close something in the model; the rest are frequent and may be dropped. */
  static boolean isLifecycle(AdvisorEvent e) {
    if (e instanceof AdvisorEvent.TaskEnd || e instanceof AdvisorEvent.TaskStart) {
      return false; // nearly every event: answered in two checks
    }
    return e instanceof AdvisorEvent.StageSubmitted || e instanceof AdvisorEvent.StageCompleted
        || e instanceof AdvisorEvent.JobStart || e instanceof AdvisorEvent.JobEnd
        || e instanceof AdvisorEvent.SqlStart || e instanceof AdvisorEvent.SqlEnd
        || e instanceof AdvisorEvent.ExecutorAdded || e instanceof AdvisorEvent.ExecutorRemoved
        || e instanceof AdvisorEvent.StreamStarted || e instanceof AdvisorEvent.StreamTerminated
        || e instanceof AdvisorEvent.AppStart || e instanceof AdvisorEvent.AppEnd;
  }

  /** Called on Spark's listener thread when a callback failed; logged once by the engine. */
  public void captureFailed(Throwable t) {
    captureFailure.compareAndSet(null, t);
  }

  /**
   * Hands over the application's end and waits, at most {@code timeoutMillis} in all, for the
   * engine to log the summary and close its outputs. The end cannot be dropped: it is set in a
   * slot the engine reads, and the engine is woken to read it. The engine works through the
   * waiting events for half the timeout at most; what is left then is dropped, so the summary
   * comes in time even behind a full queue.
   */
  public boolean finish(AdvisorEvent.AppEnd end, long timeoutMillis) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    ending = new Ending(end, start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) / 2);
    inbox.wake();
    try {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !finished.await(left, TimeUnit.NANOSECONDS)) {
        return false;
      }
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public long processedEvents() {
    return processed.get();
  }

  public long droppedEvents() {
    return dropped.get();
  }

  /** Dropped events that open or close something: the reserve was full too. */
  public long droppedLifecycleEvents() {
    return lifecycleDropped.get();
  }

  public int queueDepth() {
    return inbox.size();
  }

  /** How far behind the newest processed event's time the engine was, in milliseconds. */
  public long lagMillis() {
    return lagMillis;
  }

  /**
   * CPU time the advisor's thread has used, in nanoseconds: read live from the JVM while it runs,
   * its last reading once it has ended; 0 where the JVM does not measure thread CPU time.
   */
  public long cpuTimeNanos() {
    long live = thread.isAlive() ? threadCpuNanos(thread.getId()) : -1;
    return cpuHighWater.accumulateAndGet(live, Math::max); // a counter never goes down
  }

  private static long threadCpuNanos(long threadId) {
    try {
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      return mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(threadId) : -1;
    } catch (RuntimeException | LinkageError e) {
      return -1;
    }
  }

  /** Whether the advisor's thread sleeps until an offer wakes it (nothing came for a while). */
  boolean asleep() {
    return inbox.asleep();
  }

  /** The advisor's thread, for tests. */
  Thread thread() {
    return thread;
  }

  public boolean isAlive() {
    return thread.isAlive();
  }

  @Override
  public void run() {
    long interval = settings.liveCheckIntervalMillis();
    long nextTick = System.currentTimeMillis() + interval;
    int drained = 0; // since the last park
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Ending end = ending;
        if (end != null && (inbox.isEmpty() || System.nanoTime() - end.drainByNanos() > 0)) {
          dropWaiting();
          applicationEnded(end.end());
          return;
        }
        AdvisorEvent e = inbox.poll();
        if (e == null && end == null) {
          inbox.idle(TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextTick - System.currentTimeMillis())), drained);
          drained = 0;
        }
        for (int n = 0; e != null; n++) {
          process(e);
          drained++;
          e = n < DRAIN_BATCH && !pastDrainTime() ? inbox.poll() : null;
        }
        long wall = System.currentTimeMillis();
        if (wall >= nextTick) {
          long now = clock.now(); // rules judge time as the events tell it, live or replayed
          guarded("the live check", () -> {
            rules.stagesRunning(state.activeStages(), now);
            rules.tick(state, now);
          });
          nextTick = wall + interval;
        }
        reportTrouble();
      }
    } finally {
      try {
        Ending end = ending;
        if (!ended && end != null) { // left the loop on an interrupt: the end is still applied
          applicationEnded(end.end());
        }
        findings.close();
      } finally {
        cpuHighWater.accumulateAndGet(threadCpuNanos(Thread.currentThread().getId()), Math::max);
        finished.countDown();
      }
    }
  }

  private boolean pastDrainTime() {
    Ending end = ending;
    return end != null && System.nanoTime() - end.drainByNanos() > 0;
  }

  /** The application is over and time is short: what still waits is counted as dropped. */
  private void dropWaiting() {
    int n = 0;
    while (inbox.poll() != null) {
      n++;
    }
    dropped.addAndGet(n);
  }

  /** Applies one event; the application's end comes through {@link #finish}, not the queue. */
  private void process(AdvisorEvent e) {
    processed.incrementAndGet();
    clock.observe(e);
    try {
      apply(e);
    } catch (Throwable t) {
      failed(e.getClass().getSimpleName(), t);
    }
    if (isLifecycle(e)) {
      observed(() -> observer.activeChanged(state));
    }
  }

  private void applicationEnded(AdvisorEvent.AppEnd end) {
    ended = true;
    processed.incrementAndGet();
    guarded("the application end", () -> {
      state.appEnded(end);
      observed(() -> observer.activeChanged(state));
      rules.applicationEnd();
      reportTrouble();
      if (settings.summaryEnabled()) {
        LOG.info(Summary.render(state, findings, settings.taskCpus(), dropped.get()));
      }
    });
  }

  private void apply(AdvisorEvent e) {
    if (e instanceof AdvisorEvent.TaskEnd t) {
      state.taskEnded(t);
      lagMillis = Math.max(0, System.currentTimeMillis() - t.finishTime());
      observed(() -> observer.taskEnded(t));
    } else if (e instanceof AdvisorEvent.TaskStart t) {
      state.taskStarted(t);
      observed(() -> observer.taskStarted(t));
    } else if (e instanceof AdvisorEvent.TaskResubmitted r) {
      state.taskResubmitted(r);
    } else if (e instanceof AdvisorEvent.StageSubmitted s) {
      state.stageSubmitted(s);
      observed(() -> observer.stageSubmitted(s));
    } else if (e instanceof AdvisorEvent.StageCompleted c) {
      StageStats stage = state.stageCompleted(c);
      observed(() -> observer.stageCompleted(stage));
      rules.stageCompleted(stage);
      SqlQuery q = stage.executionId() >= 0 ? state.query(stage.executionId()) : null;
      if (q != null) {
        rules.queryProgress(q, stage);
      }
    } else if (e instanceof AdvisorEvent.JobStart j) {
      SqlQuery first = state.jobStarted(j);
      observed(() -> observer.jobStarted(j));
      if (first != null) {
        rules.queryRunning(first);
      }
    } else if (e instanceof AdvisorEvent.JobEnd j) {
      state.jobEnded(j); // stages whose completion was lost are closed, not judged
      observed(() -> observer.jobEnded(j));
    } else if (e instanceof AdvisorEvent.SqlStart s) {
      state.queryStarted(s, plan(s.executionId(), s.plan()), modifiedConfigs(s));
      state.queryEstimated(s.executionId(), estimates(s.estimates()));
      observed(() -> observer.queryStarted(s.executionId()));
    } else if (e instanceof AdvisorEvent.SqlPlanUpdate u) {
      SqlQuery q = state.queryReplanned(u.executionId(), plan(u.executionId(), u.plan()));
      if (q != null) {
        rules.queryProgress(q, null);
      }
    } else if (e instanceof AdvisorEvent.SqlDriverMetrics m) {
      SqlQuery q = state.queryMetricsPosted(m);
      if (q != null) {
        rules.queryProgress(q, null);
      }
    } else if (e instanceof AdvisorEvent.SqlEstimates s) {
      state.estimatesArrived(estimates(s.estimates()));
    } else if (e instanceof AdvisorEvent.SqlEnd s) {
      SqlQuery known = state.query(s.executionId());
      if (known != null && !known.plan().name().isEmpty()) { // planned, so the estimates are computed
        state.queryEstimated(s.executionId(), estimates(s.estimates()));
      }
      SqlQuery q = state.queryEnded(s);
      observed(() -> observer.queryEnded(s, q));
      if (q != null) {
        rules.queryEnded(q);
      }
    } else if (e instanceof AdvisorEvent.StreamProgress p) {
      StreamState stream = state.streamProgressed(p.batch());
      List<StreamBatch> last = stream.last(1);
      boolean isNew = !last.isEmpty() && last.get(0) == p.batch();
      observed(() -> observer.streamProgressed(stream, p.batch(), isNew));
      rules.streamProgress(stream);
    } else if (e instanceof AdvisorEvent.StreamStarted s) {
      state.streamStarted(s);
    } else if (e instanceof AdvisorEvent.StreamTerminated t) {
      StreamState gone = state.streamTerminated(t);
      observed(() -> observer.streamTerminated(t));
      if (gone != null) {
        rules.streamTerminated(gone);
      }
    } else if (e instanceof AdvisorEvent.ExecutorAdded a) {
      state.executorAdded(a);
      observed(() -> observer.executorsChanged(state));
    } else if (e instanceof AdvisorEvent.ExecutorRemoved r) {
      state.executorRemoved(r);
      observed(() -> observer.executorsChanged(state));
    } else if (e instanceof AdvisorEvent.ExecutorMetrics m) {
      state.executorMetrics(m);
    } else if (e instanceof AdvisorEvent.AppStart a) {
      state.appStarted(a);
    }
  }

  /** The observer's failure is its own: the model and the rules go on. */
  private void observed(Runnable call) {
    guarded("the metrics", call);
  }

  private PlanNode plan(long executionId, java.util.function.Supplier<PlanNode> plan) {
    try {
      return plan.get();
    } catch (RuntimeException | LinkageError ex) {
      if (!planFailureLogged) {
        planFailureLogged = true;
        LOG.warn("spark-advisor: could not read the plan of SQL query {} ({}); plan rules skip such "
            + "queries, the rest goes on (logged once)", executionId, ex.toString());
      }
      return PlanNode.empty();
    }
  }

  /** The optimizer's estimates are a bonus: a plan shape they cannot be read from goes without. */
  private static Map<String, PlanNode.Estimate> estimates(AdvisorEvent.Estimates estimates) {
    try {
      return estimates.get();
    } catch (RuntimeException | LinkageError ex) {
      return Map.of();
    }
  }

  private Map<String, String> modifiedConfigs(AdvisorEvent.SqlStart s) {
    try {
      return s.modifiedConfigs().get();
    } catch (RuntimeException | LinkageError ex) {
      return Map.of();
    }
  }

  private void guarded(String what, Runnable work) {
    try {
      work.run();
    } catch (Throwable t) {
      failed(what, t);
    }
  }

  private void failed(String what, Throwable t) {
    if (!processFailureLogged) {
      processFailureLogged = true;
      LOG.warn("spark-advisor: failed while processing {}; skipping it and going on (logged once): {}",
          what, t.toString(), t);
    }
  }

  private void reportTrouble() {
    if (!dropLogged && dropped.get() > 0) {
      dropLogged = true;
      LOG.warn("spark-advisor: its event queue ({} events) was full and events were dropped; findings "
          + "may be incomplete. Raise spark.advisor.queue.capacity if this recurs (logged once)",
          settings.queueCapacity());
    }
    if (!lifecycleDropLogged && lifecycleDropped.get() > 0) {
      lifecycleDropLogged = true;
      LOG.warn("spark-advisor: its queue's reserve for stage, job and query events was full too; "
          + "stages and queries whose end was lost are closed without being judged (logged once)");
    }
    Throwable t = captureFailure.get();
    if (!captureFailureLogged && t != null) {
      captureFailureLogged = true;
      LOG.warn("spark-advisor: failed to read a Spark event; the event was skipped and the job is not "
          + "affected (logged once): {}", t.toString(), t);
    }
  }
}
