package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;

/**
 * "Many small files", as both file rules judge it: at least {@code minFiles} files whose average
 * size is under {@code maxAverageBytes}. Options {@code minFiles} (100) and
 * {@code maxAverageFileSize} (3m).
 */
record SmallFiles(long minFiles, long maxAverageBytes) {
  /** What opening, listing and scheduling one file costs, roughly, on object stores. */
  static final long PER_FILE_MS = 10;

  static SmallFiles from(RuleOptions o) {
    return new SmallFiles(o.count("minFiles", 100), o.sizeBytes("maxAverageFileSize", 3L << 20));
  }

  boolean matches(long files, long bytes) {
    return files >= minFiles && files > 0 && bytes >= 0 && bytes / files < maxAverageBytes;
  }
}
