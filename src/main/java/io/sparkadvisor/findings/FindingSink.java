package io.sparkadvisor.findings;

/** Where findings go. Called on the advisor's thread only. */
public interface FindingSink extends AutoCloseable {

  /** A finding seen for the first time at its place. */
  void emit(Finding finding);

  /** The same finding seen again at the same place; {@code timesSeen} counts all sightings. */
  default void repeated(Finding finding, int timesSeen) {}

  @Override
  default void close() {}
}
