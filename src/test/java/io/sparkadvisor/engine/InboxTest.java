package io.sparkadvisor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.model.AdvisorEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lock-free hand-off on its own: room, reserve and order, with several producers at once. */
class InboxTest {
  private static AdvisorEvent.TaskStart task(int producer, long n) {
    return new AdvisorEvent.TaskStart(producer, 0, n, 0, 0, 0, "1", "h", false);
  }

  @Test
  void frequentEventsStopAtTheCapacityAndLifecycleEventsAtTheReserve() {
    Inbox inbox = new Inbox(3, 2);
    for (int i = 0; i < 3; i++) {
      assertThat(inbox.offer(task(0, i), false)).isTrue();
    }
    assertThat(inbox.offer(task(0, 3), false)).as("capacity reached").isFalse();
    assertThat(inbox.offer(new AdvisorEvent.JobEnd(1, 1, true), true)).isTrue();
    assertThat(inbox.offer(new AdvisorEvent.JobEnd(2, 1, true), true)).isTrue();
    assertThat(inbox.offer(new AdvisorEvent.JobEnd(3, 1, true), true)).as("reserve used up").isFalse();
    assertThat(inbox.size()).isEqualTo(5);
    assertThat(inbox.poll()).isEqualTo(task(0, 0));
    assertThat(inbox.offer(task(0, 4), false)).as("still above the capacity").isFalse();
    inbox.poll();
    inbox.poll(); // two task events left: one frequent event fits again
    assertThat(inbox.offer(task(0, 5), false)).isTrue();
  }

  @Test
  void theParkShortensWhileTheRingFillsAndLengthensBackWithinItsBounds() {
    Inbox inbox = new Inbox(100_000, 1_024);
    assertThat(inbox.parkNanos()).isEqualTo(Inbox.MAX_PARK_NANOS);
    inbox.idle(1, 25_001); // found the ring more than a quarter full
    assertThat(inbox.parkNanos()).isEqualTo(Inbox.MAX_PARK_NANOS / 2);
    for (int i = 0; i < 20; i++) {
      inbox.idle(1, 100_000);
    }
    assertThat(inbox.parkNanos()).isEqualTo(Inbox.MIN_PARK_NANOS);
    inbox.idle(1, 25_000);
    assertThat(inbox.parkNanos()).isEqualTo(2 * Inbox.MIN_PARK_NANOS);
    for (int i = 0; i < 20; i++) {
      inbox.idle(1, 0);
    }
    assertThat(inbox.parkNanos()).isEqualTo(Inbox.MAX_PARK_NANOS);
    // A small ring parks no longer than it takes to fill at two million events a second.
    assertThat(new Inbox(1_000, 1_024).parkNanos()).isEqualTo(Inbox.MIN_PARK_NANOS);
  }

  /**
   * Three producers flood a small ring while one consumer drains it with pauses: every lifecycle
   * event arrives, in each producer's order; every frequent event either arrives or was refused.
   */
  @Test
  void concurrentProducersLoseNoLifecycleEventAndEveryDropIsAccountedFor() throws Exception {
    int producers = 3;
    int perProducer = 200_000;
    int lifecycleEvery = 1_000;
    Inbox inbox = new Inbox(64, 1_024);
    AtomicLong refused = new AtomicLong();
    AtomicLong lifecycleRefused = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int n = 0; n < perProducer; n++) {
          boolean lifecycle = n % lifecycleEvery == 0;
          AdvisorEvent e = lifecycle ? new AdvisorEvent.JobEnd(producer * perProducer + n, n, true) : task(producer, n);
          if (!inbox.offer(e, lifecycle)) {
            (lifecycle ? lifecycleRefused : refused).incrementAndGet();
          }
        }
      });
      t.start();
      threads.add(t);
    }
    AtomicBoolean producing = new AtomicBoolean(true);
    long[] frequentSeen = new long[1];
    List<List<Integer>> lifecycleSeen = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    Thread consumer = new Thread(() -> {
      int sincePause = 0;
      while (true) {
        boolean done = !producing.get(); // read before draining: nothing is offered after it
        AdvisorEvent e = inbox.poll();
        if (e == null) {
          if (done) {
            return;
          }
          inbox.idle(TimeUnit.MILLISECONDS.toNanos(1), 0);
          continue;
        }
        if (e instanceof AdvisorEvent.JobEnd j) {
          lifecycleSeen.get(j.jobId() / perProducer).add(j.jobId() % perProducer);
        } else {
          frequentSeen[0]++;
        }
        if (++sincePause == 32 && producing.get()) { // slower than the producers: the ring fills
          sincePause = 0;
          inbox.idle(TimeUnit.MILLISECONDS.toNanos(1), 0);
        }
      }
    });
    consumer.start();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    producing.set(false);
    consumer.join(30_000);

    assertThat(consumer.isAlive()).isFalse();
    assertThat(lifecycleRefused.get()).isZero();
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < perProducer; n += lifecycleEvery) {
      expected.add(n);
    }
    for (List<Integer> seen : lifecycleSeen) {
      assertThat(seen).as("every lifecycle event, in its producer's order").isEqualTo(expected);
    }
    long frequentOffered = (long) producers * (perProducer - perProducer / lifecycleEvery);
    assertThat(refused.get()).as("the ring saturated").isPositive();
    assertThat(frequentSeen[0] + refused.get()).isEqualTo(frequentOffered);
  }
}
