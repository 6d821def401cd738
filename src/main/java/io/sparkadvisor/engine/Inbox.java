package io.sparkadvisor.engine;

import io.sparkadvisor.model.AdvisorEvent;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * The hand-off between Spark's listener thread and the advisor's: a bounded lock-free ring
 * (JCTools' multi-producer single-consumer array queue, shaded). An offer is one compare-and-set
 * and one ordered store: no lock, and no wake-up of the advisor's thread, which is what a
 * blocking queue costs the producer once per event (a futex call to unpark the sleeping consumer,
 * and often a context switch on a machine whose cores run tasks).
 *
 * <p>Producers: Spark's listener thread, and the query-execution listener's. Frequent events are
 * taken while fewer than {@code capacity} wait; events that open or close something also use the
 * reserve above it. The size check and the claim of a slot are one atomic step.
 *
 * <p>The consumer drains in batches and, when it finds nothing, parks with a bounded back-off
 * (a quarter of a millisecond, doubling to {@link #MAX_PARK_NANOS}); {@link #wake} ends a park
 * at once, for the application's end.
 */
final class Inbox {
  static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(250);
  static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

  private final MpscArrayQueue<AdvisorEvent> ring;
  private final int capacity;
  private final int withReserve;
  private volatile Thread consumer;
  private long park = MIN_PARK_NANOS; // the consumer's alone

  Inbox(int capacity, int reserve) {
    this.capacity = capacity;
    this.withReserve = capacity + reserve;
    this.ring = new MpscArrayQueue<>(withReserve); // rounded up to a power of two; bounded below
  }

  /** Any thread: never blocks. False when there was no room for the event. */
  boolean offer(AdvisorEvent e, boolean lifecycle) {
    return ring.offerIfBelowThreshold(e, lifecycle ? withReserve : capacity);
  }

  /** The consumer: the next event, or null. */
  AdvisorEvent poll() {
    return ring.relaxedPoll();
  }

  int size() {
    return ring.size();
  }

  boolean isEmpty() {
    return ring.isEmpty();
  }

  /** The consumer found events: its next idle park starts short again. */
  void busy() {
    park = MIN_PARK_NANOS;
  }

  /**
   * The consumer found nothing: parks for the current back-off, at most {@code maxNanos}, and
   * doubles the back-off up to its bound. Returns early on {@link #wake} or an interrupt.
   */
  void idle(long maxNanos) {
    consumer = Thread.currentThread();
    LockSupport.parkNanos(this, Math.max(1, Math.min(park, maxNanos)));
    park = Math.min(MAX_PARK_NANOS, park * 2);
  }

  /** Ends the consumer's park now; rare (the application's end), as it costs a system call. */
  void wake() {
    Thread t = consumer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
