package io.sparkadvisor;

import io.sparkadvisor.metrics.AdvisorMetrics;

/** What tests read of the running advisor (the one attached through spark.extraListeners). */
public final class AdvisorAccess {
  private AdvisorAccess() {}

  public static AdvisorMetrics metrics() {
    SparkAdvisorListener listener = SparkAdvisorListener.current();
    if (listener == null) {
      throw new IllegalStateException("no advisor is attached to a running application");
    }
    return listener.metrics();
  }
}
