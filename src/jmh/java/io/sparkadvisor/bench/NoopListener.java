package io.sparkadvisor.bench;

import org.apache.spark.scheduler.SparkListener;

/**
 * A listener that does nothing, for {@link ListenerBusBenchmark}: Spark's per-listener timer on it
 * is what delivering one event to one listener costs on the bus (the dispatch and the timer
 * itself), the floor any listener pays. A class of its own so that Spark times it separately.
 */
public final class NoopListener extends SparkListener {
  public NoopListener() {}
}
