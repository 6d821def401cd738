package io.sparkadvisor.e2e;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/** Jobs shared by the end-to-end tests. */
final class Workloads {
  private Workloads() {}

  static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sorts {@code rows} records of 150 random bytes (about 150 MB for a million) by a random key,
   * over 8 partitions. Returns the number of sorted records.
   */
  static long sortRandomRecords(JavaSparkContext sc, int rows) {
    int partitions = 8;
    int perPartition = rows / partitions;
    return sc.parallelize(range(partitions), partitions)
        .flatMapToPair(p -> {
          Random random = new Random(p);
          return IntStream.range(0, perPartition).mapToObj(i -> {
            byte[] value = new byte[150];
            random.nextBytes(value);
            return new Tuple2<>(random.nextInt(), value);
          }).iterator();
        })
        .sortByKey(true, partitions)
        .count();
  }
}
