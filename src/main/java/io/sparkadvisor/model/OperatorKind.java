package io.sparkadvisor.model;

/** The operators rules care about; everything else is OTHER. */
public enum OperatorKind {
  ADAPTIVE_ROOT,
  SHUFFLE_EXCHANGE,
  BROADCAST_EXCHANGE,
  REUSED_EXCHANGE,
  STREAMING,
  OTHER
}
