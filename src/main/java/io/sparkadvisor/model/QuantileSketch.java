package io.sparkadvisor.model;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;

/**
 * A mergeable quantile sketch with 1% relative error and a bounded number of bins, so that a
 * stage's distribution costs a few kilobytes however many tasks it runs.
 */
public final class QuantileSketch {
  static final double RELATIVE_ACCURACY = 0.01;
  private static final int MAX_BINS = 1024;

  private final DDSketch sketch = DDSketches.collapsingLowestDense(RELATIVE_ACCURACY, MAX_BINS);

  void add(double value) {
    sketch.accept(Math.max(0, value));
  }

  public long count() {
    return (long) sketch.getCount();
  }

  /** The value at quantile q (0 to 1), or 0 when nothing was added. */
  public double quantile(double q) {
    return sketch.isEmpty() ? 0 : sketch.getValueAtQuantile(q);
  }

  public double median() {
    return quantile(0.5);
  }

  void mergeWith(QuantileSketch other) {
    sketch.mergeWith(other.sketch);
  }
}
