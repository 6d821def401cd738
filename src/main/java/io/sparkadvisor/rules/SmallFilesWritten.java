package io.sparkadvisor.rules;

import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.findings.Severity;
import io.sparkadvisor.findings.Units;
import io.sparkadvisor.model.OperatorKind;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.model.SqlQuery;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A write that produced many small files, judged when the driver posts the write's statistics. */
@RuleInfo(id = "SmallFilesWritten", severity = Severity.WARN,
    summary = "A write produces many files of a few megabytes or less")
public final class SmallFilesWritten extends QueryRule {
  private static final long TARGET_FILE_BYTES = 128L << 20;
  /** InsertIntoHadoopFsRelationCommand path, overwrite flag, then its partition columns. */
  private static final Pattern PARTITION_COLUMNS =
      Pattern.compile("Command [^,]*, (?:true|false), \\[([^\\]]+)\\]");

  private final SmallFiles small;

  public SmallFilesWritten(RuleOptions o) {
    small = SmallFiles.from(o);
  }

  @Override
  void check(SqlQuery q, RuleContext ctx) {
    for (PlanNode write : q.plan().findAll(n -> n.kind() == OperatorKind.WRITE)) {
      long files = q.metric(write, "number of written files");
      long bytes = q.metric(write, "written output");
      if (!small.matches(files, bytes)) {
        continue;
      }
      long parts = Math.max(0, q.metric(write, "number of dynamic part"));
      long average = bytes / files;
      long target = Math.max(1, (bytes + TARGET_FILE_BYTES - 1) / TARGET_FILE_BYTES);
      String columns = partitionColumns(write);
      String fix;
      if (parts > 0) {
        fix = "each task wrote a file into each partition it held: repartition by the partition columns before the "
            + "write, df.repartition(" + (columns.isEmpty() ? "<partition columns>" : columns) + ").write.partitionBy("
            + (columns.isEmpty() ? "..." : columns) + "), so each partition value is written by one task "
            + "(add a salt column to that repartition for very large partitions)";
      } else {
        fix = "write fewer, larger files: df.repartition(" + target + ") or coalesce(" + target
            + ") before the write (about 128 MB per file), or /*+ REBALANCE */ with AQE to size them by "
            + "spark.sql.adaptive.advisoryPartitionSizeInBytes";
      }
      long costMs = files * SmallFiles.PER_FILE_MS;
      ctx.report(Plans.at(ctx, q, write)
          .message(writeLabel(write) + ": wrote " + Units.count(files) + " files of " + Units.bytes(bytes) + " in all, "
              + Units.bytes(average) + " per file on average" + (parts > 0 ? ", into " + Units.count(parts) + " partitions" : ""))
          .cost(costMs, "~" + Units.coreTime(costMs) + " of file overhead for every later read of this output "
              + "(at ~10 ms per file), and load on the storage's metadata service")
          .fix(fix)
          .evidence("operator", writeLabel(write))
          .evidence("files", files)
          .evidence("bytes", bytes)
          .evidence("averageFileBytes", average)
          .evidence("dynamicPartitions", parts)
          .build());
    }
  }

  private static String writeLabel(PlanNode write) {
    String detail = PlanNode.stripIds(write.detail());
    return detail.length() <= 100 ? detail : detail.substring(0, 97) + "...";
  }

  static String partitionColumns(PlanNode write) {
    Matcher m = PARTITION_COLUMNS.matcher(write.detail());
    return m.find() ? PlanNode.stripIds(m.group(1)) : "";
  }
}
