package io.sparkadvisor.rules;

import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.config.Values;
import java.util.OptionalLong;

/** Executor memory settings as Spark reads them, and sizes written back as Spark values. */
final class ExecutorMemory {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;
  /** Spark's floor for the memory overhead. */
  private static final long MIN_OVERHEAD = 384 * MIB;

  private ExecutorMemory() {}

  /** {@code spark.executor.memory} in bytes (a bare number means MiB, as in Spark); 1g unset. */
  static long heapBytes(SparkSettings spark) {
    return mib(spark, "spark.executor.memory").orElse(GIB);
  }

  /** The memory overhead Spark asks the cluster manager for on top of the heap. */
  static long overheadBytes(SparkSettings spark) {
    OptionalLong set = mib(spark, "spark.executor.memoryOverhead");
    if (set.isPresent()) {
      return set.getAsLong();
    }
    double factor = spark.get("spark.executor.memoryOverheadFactor").map(Values::ratio)
        .filter(d -> d.isPresent()).map(d -> d.getAsDouble()).orElse(0.10);
    return Math.max(MIN_OVERHEAD, (long) (factor * heapBytes(spark)));
  }

  /** {@code spark.memory.fraction}: the share of the heap above the reserve Spark manages; 0.6 unset. */
  static double memoryFraction(SparkSettings spark) {
    return spark.get("spark.memory.fraction").map(Values::ratio)
        .filter(d -> d.isPresent()).map(d -> d.getAsDouble()).orElse(0.6);
  }

  private static OptionalLong mib(SparkSettings spark, String key) {
    String raw = spark.get(key).orElse(null);
    if (raw == null || raw.isBlank()) {
      return OptionalLong.empty();
    }
    String s = raw.trim();
    if (s.chars().allMatch(Character::isDigit)) {
      return OptionalLong.of(Long.parseLong(s) * MIB);
    }
    return Values.sizeBytes(s);
  }

  /** {@code bytes} rounded up to a multiple of {@code step}, as a Spark size ("6g", "1536m"). */
  static String sparkSize(long bytes, long step) {
    long rounded = roundUp(bytes, step);
    return rounded % GIB == 0 ? rounded / GIB + "g" : rounded / MIB + "m";
  }

  static long roundUp(long bytes, long step) {
    return Math.max(step, ((bytes + step - 1) / step) * step);
  }
}
