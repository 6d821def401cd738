package io.sparkadvisor.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The application the cluster tests submit with spark-submit, packed into a jar of its own by the
 * tests. It knows nothing of the advisor: the advisor comes only from --jars or --packages and
 * spark.extraListeners. Prints {@code RESULT <name>=<value>} lines for the test to check.
 *
 * <p>Modes: {@code flaky} (a task that fails once, retried), {@code kill <dir>} (a stage of slow
 * tasks that write a marker file into {@code dir} when they start, so the test can kill an
 * executor in the middle of it), {@code heap <fraction> <seconds>} (each task holds that fraction
 * of its executor's heap for that long), {@code speculate <dir>} (partition 7's first attempt
 * hangs while the others finish, so that Spark launches a speculative copy; the output is written
 * as text files into {@code dir}), {@code retry <dir>} (a shuffle whose reduce tasks, before they
 * fetch, write a marker into {@code dir} and wait: an executor killed then takes map output with
 * it, the fetch fails and the stage is retried).
 */
public final class ClusterApp {
  private ClusterApp() {}

  /** Tasks the executors are running now. */
  private static int running(JavaSparkContext sc) {
    int n = 0;
    for (org.apache.spark.SparkExecutorInfo e : sc.sc().statusTracker().getExecutorInfos()) {
      n += e.numRunningTasks();
    }
    return n;
  }

  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("cluster-" + args[0]).getOrCreate();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      switch (args[0]) {
        case "flaky" -> {
          long n = sc.parallelize(range(8), 8).map(i -> {
            if (i == 3 && TaskContext.get().attemptNumber() == 0) {
              throw new IllegalStateException("flaky on first attempt");
            }
            return i;
          }).count();
          System.out.println("RESULT count=" + n);
        }
        case "kill" -> {
          String dir = args[1];
          long sum = sc.parallelize(range(8), 8).map(i -> {
            Files.writeString(Path.of(dir, "started-" + i + "-" + TaskContext.get().attemptNumber()), "");
            Thread.sleep(2_500);
            return (long) i;
          }).reduce(Long::sum);
          System.out.println("RESULT sum=" + sum);
        }
        case "speculate" -> {
          sc.parallelize(range(8), 8).map(i -> {
            if (i == 7 && TaskContext.get().attemptNumber() == 0) {
              Thread.sleep(120_000); // interrupted when the speculative copy wins
            }
            return i;
          }).saveAsTextFile(args[1]);
          // The losing attempt is killed after the job ends; its end event should reach the log
          // before the application stops (at most 10 s).
          for (int wait = 0; wait < 100 && running(sc) > 0; wait++) {
            Thread.sleep(100);
          }
          try (Stream<Path> files = Files.list(Path.of(args[1]))) {
            System.out.println("RESULT written=" + files.filter(
                p -> p.getFileName().toString().startsWith("part-")).count());
          }
        }
        case "retry" -> {
          String dir = args[1];
          JavaPairRDD<Integer, Long> map = sc.parallelize(range(8), 8).mapToPair(i -> {
            Thread.sleep(500); // spread over both executors
            return new Tuple2<>(i % 4, (long) i);
          });
          // Cached, so computed in full (marker, wait) before the zipped shuffle read starts.
          JavaRDD<Long> before = sc.parallelize(range(4), 4).map(i -> {
            TaskContext t = TaskContext.get();
            Files.writeString(Path.of(dir, "reduce-" + i + "-" + t.stageAttemptNumber() + "-" + t.attemptNumber()), "");
            Thread.sleep(4_000);
            return 0L;
          }).persist(StorageLevel.MEMORY_ONLY());
          long sum = before.zipPartitions(map.reduceByKey(Long::sum, 4), (a, b) -> {
            long s = 0;
            while (a.hasNext()) {
              s += a.next();
            }
            while (b.hasNext()) {
              s += b.next()._2();
            }
            return List.of(s).iterator();
          }).reduce(Long::sum);
          System.out.println("RESULT sum=" + sum);
        }
        case "heap" -> {
          double fraction = Double.parseDouble(args[1]);
          long seconds = Long.parseLong(args[2]);
          long n = sc.parallelize(range(2), 2).map(i -> hold(fraction, seconds)).reduce(Long::sum);
          System.out.println("RESULT held=" + n);
        }
        case "churn" -> {
          double fraction = Double.parseDouble(args[1]);
          long seconds = Long.parseLong(args[2]);
          long n = sc.parallelize(range(2), 2).map(i -> churn(fraction, seconds)).reduce(Long::sum);
          System.out.println("RESULT churned=" + n);
        }
        default -> throw new IllegalArgumentException(args[0]);
      }
    } finally {
      spark.stop();
    }
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /**
   * Holds {@code fraction} of the heap and, for {@code seconds}, allocates arrays that live a
   * little while (a ring of 10% of the heap): the collector works hard to find room. Returns the
   * arrays allocated.
   */
  private static long churn(double fraction, long seconds) {
    long max = Runtime.getRuntime().maxMemory();
    List<byte[]> held = new ArrayList<>();
    for (long size = 0; size < max * fraction; size += 256 * 1024) {
      held.add(new byte[256 * 1024]);
    }
    byte[][] ring = new byte[(int) (max / 10 / (64 * 1024))][];
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long n = 0;
    while (System.nanoTime() < end) {
      ring[(int) (n++ % ring.length)] = new byte[64 * 1024];
    }
    return n + held.size();
  }

  /** Holds {@code fraction} of the heap in 256 KB arrays for {@code seconds}; returns arrays held. */
  private static long hold(double fraction, long seconds) throws InterruptedException, IOException {
    long target = (long) (Runtime.getRuntime().maxMemory() * fraction);
    List<byte[]> held = new ArrayList<>();
    for (long size = 0; size < target; size += 256 * 1024) {
      held.add(new byte[256 * 1024]);
    }
    Thread.sleep(seconds * 1_000);
    return held.size();
  }
}
