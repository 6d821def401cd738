package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;

/**
 * A file scan over many small files. Judged when the driver has listed the files, before the scan's
 * tasks run; logged once per table or path, however many queries read it.
 */
@RuleInfo(id = "SmallFilesRead", severity = Severity.WARN,
    summary = "A file scan reads many files of a few megabytes or less")
public final class SmallFilesRead extends QueryRule {
  private final SmallFiles small;

  public SmallFilesRead(RuleOptions o) {
    small = SmallFiles.from(o);
  }

  @Override
  void check(SqlQuery q, RuleContext ctx) {
    for (PlanNode scan : q.plan().findAll(n -> n.kind() == OperatorKind.FILE_SCAN)) {
      long files = q.metric(scan, "number of files read");
      long bytes = q.metric(scan, "size of files read");
      if (!small.matches(files, bytes)) {
        continue;
      }
      long average = bytes / files;
      long costMs = files * SmallFiles.PER_FILE_MS;
      String format = scan.metadata().getOrDefault("Format", "the table's format");
      ctx.report(ctx.finding(io.sparkadvisor.findings.Scope.query(q))
          .samePlaceAs("scan|" + scan.label())
          .message(scan.label() + ": reads " + Units.count(files) + " files of " + Units.bytes(bytes)
              + " in all, " + Units.bytes(average) + " per file on average")
          .cost(costMs, "~" + Units.coreTime(costMs) + " of file open and listing overhead (at ~10 ms per file) on "
              + "every read, and one task per few files")
          .fix("compact the input into files of 128 MB to 1 GB (rewrite it with repartition(n) or coalesce(n), "
              + "OPTIMIZE for Delta, the rewrite_data_files procedure for Iceberg) and fix the writer that produces them (see SmallFilesWritten); "
              + "until then spark.sql.files.maxPartitionBytes=256m packs more " + format + " files into each task")
          .evidence("operator", scan.label())
          .evidence("files", files)
          .evidence("bytes", bytes)
          .evidence("averageFileBytes", average)
          .build());
    }
  }
}
