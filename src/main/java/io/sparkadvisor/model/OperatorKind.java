package io.sparkadvisor.model;

/** The operators rules care about; everything else is OTHER and keeps its name. */
public enum OperatorKind {
  ADAPTIVE_ROOT,
  SHUFFLE_EXCHANGE,
  BROADCAST_EXCHANGE,
  REUSED_EXCHANGE,
  SORT_MERGE_JOIN,
  SHUFFLED_HASH_JOIN,
  BROADCAST_HASH_JOIN,
  BROADCAST_NESTED_LOOP_JOIN,
  CARTESIAN_PRODUCT,
  FILE_SCAN,
  WRITE,
  WINDOW,
  SORT,
  AGGREGATE,
  STREAMING,
  OTHER;

  /** A join that shuffles both sides: the ones a broadcast could replace. */
  public boolean isShuffleJoin() {
    return this == SORT_MERGE_JOIN || this == SHUFFLED_HASH_JOIN;
  }

  public boolean isJoin() {
    return isShuffleJoin() || this == BROADCAST_HASH_JOIN || this == BROADCAST_NESTED_LOOP_JOIN
        || this == CARTESIAN_PRODUCT;
  }
}
