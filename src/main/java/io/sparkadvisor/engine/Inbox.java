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
 * <p>The consumer drains all that waits and then parks; it is never woken by a producer, except
 * by {@link #wake} at the application's end. Each wake-up costs the advisor's thread CPU whether
 * it finds work or not: a timer armed and fired, two context switches, some 40-100 µs on a
 * virtual machine whose cores run tasks (measured on the project's build machine). So it parks
 * for {@link #MAX_PARK_NANOS} while the ring stays mostly empty, about fifty wake-ups a second;
 * when a wake-up finds the ring more than a quarter full, the park halves, down to
 * {@link #MIN_PARK_NANOS}, and it grows back as the rush passes. At 20 ms the default ring (32,768
 * events) holds 1.6 million events a second before the park even starts to shorten.
 */
final class Inbox {
  static final long MIN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final MpscArrayQueue<AdvisorEvent> ring;
  private final int capacity;
  private final int withReserve;
  private volatile Thread consumer;
  private long park = MAX_PARK_NANOS; // the consumer's alone

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

  /**
   * The consumer has drained the ring, having found {@code drained} events since it last parked:
   * parks for the current back-off, at most {@code maxNanos}. The back-off halves when the ring
   * had filled past a quarter of its capacity, and doubles back otherwise, within its bounds.
   * Returns early on {@link #wake} or an interrupt.
   */
  void idle(long maxNanos, int drained) {
    consumer = Thread.currentThread();
    park = drained > capacity / 4 ? Math.max(MIN_PARK_NANOS, park / 2) : Math.min(MAX_PARK_NANOS, park * 2);
    LockSupport.parkNanos(this, Math.max(1, Math.min(park, maxNanos)));
  }

  /** The back-off the next idle park starts from, in nanoseconds. */
  long parkNanos() {
    return park;
  }

  /** Ends the consumer's park now; rare (the application's end), as it costs a system call. */
  void wake() {
    Thread t = consumer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
