package io.sparkadvisor.engine;

import io.sparkadvisor.model.AdvisorEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The hand-off between Spark's listener thread and the advisor's: a bounded lock-free ring
 * (JCTools' multi-producer single-consumer array queue, shaded; the variant built on atomic field
 * updaters rather than {@code sun.misc.Unsafe}). An offer is one compare-and-set and one ordered
 * store: no lock, and no wake-up of the advisor's thread, which is what a blocking queue costs the
 * producer once per event (a futex call to unpark the waiting consumer, and often a context switch
 * on a machine whose cores run tasks).
 *
 * <p>Producers: in Spark, every callback of the advisor's listeners (SparkAdvisorListener and the
 * query-execution listener, which Spark's ExecutionListenerBus dispatches) runs on the shared
 * listener queue's one thread; the ring takes any number of producers all the same. Frequent
 * events are taken while fewer than {@code capacity} wait; events that open or close something
 * also use the reserve above it. The size check and the claim of a slot are one atomic step.
 *
 * <p>The consumer drains all that waits and then parks. Each wake-up costs the advisor's thread
 * CPU whether it finds work or not (a timer armed and fired, two context switches: some 40-100 µs
 * on a virtual machine whose cores run tasks, measured on the project's build machine), so:
 * <ul>
 *   <li>while events flow it parks for up to {@link #MAX_PARK_NANOS} (less for a small ring, so
 *       that one park's worth of events fits), halving the park while wake-ups find the ring more
 *       than a quarter full and doubling it back as the rush passes;
 *   <li>after {@link #EMPTY_WAKES_BEFORE_SLEEP} wake-ups in a row that found nothing, it sleeps
 *       until its next live check, and the next offer wakes it: one system call on Spark's thread
 *       per idle spell, not per event, and an idle driver costs nothing between live checks;
 *   <li>an offer refused for want of room wakes it at once (once per park), as does
 *       {@link #wake} at the application's end.
 * </ul>
 */
final class Inbox {
  static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  static final int EMPTY_WAKES_BEFORE_SLEEP = 5;

  private final MpscAtomicArrayQueue<AdvisorEvent> ring;
  private final int capacity;
  private final int withReserve;
  private final long maxPark;
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final AtomicBoolean nudged = new AtomicBoolean();
  private volatile Thread consumer;
  private long park; // the consumer's alone, as is emptyWakes
  private int emptyWakes;

  Inbox(int capacity, int reserve) {
    this.capacity = capacity;
    this.withReserve = capacity + reserve;
    this.ring = new MpscAtomicArrayQueue<>(withReserve); // rounded up to a power of two
    if (ring.capacity() < withReserve) {
      throw new IllegalStateException("ring of " + ring.capacity() + " for " + withReserve + " events");
    }
    // At most the time the ring takes to fill at two million events a second.
    this.maxPark = Math.max(MIN_PARK_NANOS, Math.min(MAX_PARK_NANOS, capacity * 500L));
    this.park = maxPark;
  }

  /** The thread that polls; woken by {@link #wake}, and by offers while it sleeps. */
  void consumedBy(Thread thread) {
    consumer = thread;
  }

  /** Any thread: never blocks. False when there was no room for the event. */
  boolean offer(AdvisorEvent e, boolean lifecycle) {
    if (ring.offerIfBelowThreshold(e, lifecycle ? withReserve : capacity)) {
      // A volatile read while the consumer is awake; a system call once per idle spell.
      if (sleeping.get() && sleeping.compareAndSet(true, false)) {
        LockSupport.unpark(consumer);
      }
      return true;
    }
    if (!nudged.get() && nudged.compareAndSet(false, true)) {
      LockSupport.unpark(consumer); // full: drain now rather than at the end of the park
    }
    return false;
  }

  /** The consumer: the next event, or null when none waits (a slot being filled is waited for). */
  AdvisorEvent poll() {
    return ring.poll();
  }

  int size() {
    return ring.size();
  }

  boolean isEmpty() {
    return ring.isEmpty();
  }

  /** Whether the consumer is asleep until an offer wakes it. */
  boolean asleep() {
    return sleeping.get();
  }

  /**
   * The consumer has drained the ring, having found {@code drained} events since it last parked:
   * parks for the current back-off, at most {@code maxNanos}, or sleeps up to {@code maxNanos}
   * after a run of empty wake-ups. Returns early when woken, or on an interrupt.
   */
  void idle(long maxNanos, int drained) {
    emptyWakes = drained == 0 ? emptyWakes + 1 : 0;
    park = drained > capacity / 4 ? Math.max(MIN_PARK_NANOS, park / 2) : Math.min(maxPark, park * 2);
    if (emptyWakes >= EMPTY_WAKES_BEFORE_SLEEP) {
      sleeping.set(true);
      // An offer that landed before the flag was seen set finds the ring non-empty here; one that
      // lands after it sees the flag and unparks (a permit, if this thread has not parked yet).
      if (ring.isEmpty()) {
        LockSupport.parkNanos(this, Math.max(1, maxNanos));
      }
      sleeping.set(false);
    } else {
      LockSupport.parkNanos(this, Math.max(1, Math.min(park, maxNanos)));
    }
    nudged.set(false);
  }

  /** The back-off the next park starts from, in nanoseconds. */
  long parkNanos() {
    return park;
  }

  /** Ends the consumer's park or sleep now: the application's end. */
  void wake() {
    Thread t = consumer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
