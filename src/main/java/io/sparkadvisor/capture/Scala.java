package io.sparkadvisor.capture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import scala.Option;
import scala.Tuple2;

/**
 * The one place that turns Scala values into Java ones. Scala 2.12 and 2.13 collections differ in
 * binary form; these helpers use only {@code iterator()}, {@code hasNext()}, {@code next()} and
 * {@code Option}, which both versions share, so the same source compiles for either.
 */
public final class Scala {
  private Scala() {}

  /** Every setting of a SparkConf. */
  public static Map<String, String> settings(org.apache.spark.SparkConf conf) {
    Map<String, String> out = new HashMap<>();
    for (Tuple2<String, String> kv : conf.getAll()) {
      out.put(kv._1(), kv._2());
    }
    return out;
  }

  public static <K, V> Map<K, V> map(scala.collection.Map<K, V> map) {
    if (map == null) {
      return Map.of();
    }
    Map<K, V> out = new HashMap<>();
    scala.collection.Iterator<Tuple2<K, V>> it = map.iterator();
    while (it.hasNext()) {
      Tuple2<K, V> kv = it.next();
      out.put(kv._1(), kv._2());
    }
    return out;
  }

  public static <T> List<T> list(scala.collection.Iterable<T> items) {
    if (items == null) {
      return List.of();
    }
    List<T> out = new ArrayList<>();
    scala.collection.Iterator<T> it = items.iterator();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  /** A Seq[Int] as an int array. */
  public static int[] ints(scala.collection.Iterable<Object> items) {
    int[] out = new int[8];
    int n = 0;
    scala.collection.Iterator<Object> it = items == null ? null : items.iterator();
    while (it != null && it.hasNext()) {
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, 2 * n);
      }
      out[n++] = ((Number) it.next()).intValue();
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /**
   * The SQL metrics among a stage's accumulables (those Spark marks with the "sql" metadata), as
   * {@code {ids, values}} with the driver's running totals.
   */
  public static long[][] sqlMetrics(scala.collection.Map<Object, org.apache.spark.scheduler.AccumulableInfo> accumulables) {
    if (accumulables == null || accumulables.isEmpty()) {
      return new long[][] {new long[0], new long[0]};
    }
    long[] ids = new long[accumulables.size()];
    long[] values = new long[ids.length];
    int n = 0;
    scala.collection.Iterator<org.apache.spark.scheduler.AccumulableInfo> it = accumulables.valuesIterator();
    while (it.hasNext() && n < ids.length) {
      org.apache.spark.scheduler.AccumulableInfo a = it.next();
      if (a != null && "sql".equals(stringOr(a.metadata(), null)) && a.value().isDefined()
          && a.value().get() instanceof Long v) {
        ids[n] = a.id();
        values[n++] = v;
      }
    }
    return new long[][] {java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(values, n)};
  }

  /** A Seq[(Long, Long)] of accumulator id and value as {@code {ids, values}}. */
  public static long[][] longPairs(scala.collection.Iterable<Tuple2<Object, Object>> pairs) {
    List<Tuple2<Object, Object>> list = list(pairs);
    long[] ids = new long[list.size()];
    long[] values = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ((Number) list.get(i)._1()).longValue();
      values[i] = ((Number) list.get(i)._2()).longValue();
    }
    return new long[][] {ids, values};
  }

  /** An Option[Long] (erased to Option of Object) as a long, or {@code dflt} when empty. */
  public static long longOr(Option<Object> option, long dflt) {
    return option != null && option.isDefined() ? ((Number) option.get()).longValue() : dflt;
  }

  public static String stringOr(Option<String> option, String dflt) {
    return option != null && option.isDefined() ? option.get() : dflt;
  }
}
