package io.sparkadvisor.model;

/** Hashing for the signatures that tell one stage or query shape from another. */
public final class Shapes {
  private Shapes() {}

  /** A 64-bit finalizer (MurmurHash3's fmix64): spreads a value so that sums of them collide rarely. */
  public static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
