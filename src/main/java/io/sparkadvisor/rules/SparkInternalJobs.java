package io.sparkadvisor.rules;

import io.sparkadvisor.model.StageStats;

/**
 * Jobs Spark runs for itself, recognised by the job description it gives them. Their task shape
 * follows from Spark's own settings, not from the user's partitioning, so task-shape advice
 * ("fewer, larger partitions", "salt the key") does not fit them.
 */
final class SparkInternalJobs {
  /**
   * Parallel partition discovery (HadoopFSUtils, Spark 3.5 and 4.x): one task per path, at most
   * {@code spark.sql.sources.parallelPartitionDiscovery.parallelism}, once a table or folder has
   * more than {@code spark.sql.sources.parallelPartitionDiscovery.threshold} (32) paths to list.
   */
  static final String FILE_LISTING = "Listing leaf files and directories";

  private SparkInternalJobs() {}

  /** True for the stage of Spark's parallel file listing job. */
  static boolean isFileListing(StageStats s) {
    return s.description() != null && s.description().startsWith(FILE_LISTING);
  }
}
