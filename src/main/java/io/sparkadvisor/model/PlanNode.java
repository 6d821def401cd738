package io.sparkadvisor.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operator of a physical plan, in the advisor's own terms. Built by the plan summarizer, the
 * only code that reads Spark's plan classes; operators it does not know pass through as
 * {@link OperatorKind#OTHER} with their name.
 *
 * @param detail the operator's one-line description as Spark's SQL tab shows it (clipped)
 * @param metadata a file scan's metadata (Format, Location, PartitionFilters...), else empty
 * @param metrics the operator's SQL metrics by name ({@code number of output rows}), as
 *     accumulator ids; their values live in the {@link SqlQuery}
 */
public record PlanNode(String name, String detail, OperatorKind kind, Map<String, String> metadata,
    Map<String, Long> metrics, List<PlanNode> children) {

  /** The optimizer's size estimates of a join's left and right input, in bytes (-1: unknown). */
  public record Estimate(long leftBytes, long rightBytes) {}

  private static final Pattern EXPR_ID = Pattern.compile("#\\d+L?");
  /** A partition directory ({@code /day=2024-01-01}) or a path count in a scan's location. */
  private static final Pattern PARTITION_DIR = Pattern.compile("/[^/=,\\[\\]\\s]+=[^/,\\[\\]\\s]*|\\(\\d+ paths?\\)");
  private static final Pattern JOIN_TYPE = Pattern.compile(
      "\\b(Inner|Cross|LeftOuter|RightOuter|FullOuter|LeftSemi|LeftAnti|ExistenceJoin\\([^)]*\\))\\b");
  private static final Pattern KEYS = Pattern.compile("^\\S+ (\\[[^\\]]*\\]), (\\[[^\\]]*\\])");

  public PlanNode {
    metadata = Map.copyOf(metadata);
    metrics = Map.copyOf(metrics);
    children = List.copyOf(children);
  }

  public PlanNode(String name, String detail, OperatorKind kind, List<PlanNode> children) {
    this(name, detail, kind, Map.of(), Map.of(), children);
  }

  /** The accumulator id of the metric with this name, or -1 when the operator has none. */
  public long metricId(String metricName) {
    Long id = metrics.get(metricName);
    return id == null ? -1 : id;
  }

  /**
   * The join type ({@code Inner}, {@code LeftOuter}...) read from a join's description, or ""
   * for other operators and shapes not recognised.
   */
  public String joinType() {
    if (!kind.isJoin()) {
      return "";
    }
    Matcher m = JOIN_TYPE.matcher(detail);
    return m.find() ? m.group(1) : (kind == OperatorKind.CARTESIAN_PRODUCT ? "Cross" : "");
  }

  /** A hash or sort-merge join's keys without Spark's expression ids: {@code [customer_id]}. */
  public String joinKeys() {
    Matcher m = KEYS.matcher(detail);
    return m.find() ? stripIds(m.group(1)) : "";
  }

  /** How a user recognises the operator: {@code SortMergeJoin [customer_id]}, {@code Scan parquet sales}. */
  public String label() {
    if (kind == OperatorKind.FILE_SCAN) {
      String scan = name.startsWith("Scan ") ? "File" + name.trim() : name.trim();
      String location = metadata.getOrDefault("Location", "");
      int paths = location.indexOf('[');
      return scan.split(" ").length >= 3 || paths < 0 ? scan
          : scan + " " + location.substring(paths, Math.min(location.length(), paths + 120));
    }
    String keys = joinKeys();
    return keys.isEmpty() || keys.equals("[]") ? name : name + " " + keys;
  }

  /**
   * What identifies a join across copies of a plan: its kind, raw keys (with expression ids) and
   * join type. AQE re-plans make new operator objects with new metric ids, but the same keys.
   */
  public String joinSignature() {
    return joinSignature(name, detail);
  }

  public static String joinSignature(String name, String detail) {
    String base = name.replace("(skew=true)", "");
    Matcher keys = KEYS.matcher(detail);
    Matcher type = JOIN_TYPE.matcher(detail);
    return base + "|" + (keys.find() ? keys.group(1) + ", " + keys.group(2) : "") + "|"
        + (type.find() ? type.group(1) : "");
  }

  /**
   * The plan's shape: operators, what each scan reads (its table or location) and each join's
   * type and keys, without expression ids or literals, so that the same query run again in a loop
   * (over other dates of one table, say) keeps its shape and a query over other inputs does not.
   */
  public long shape() {
    String what = switch (kind) {
      case FILE_SCAN -> metadata.getOrDefault("Format", "") + "|" + scanRoot(metadata.getOrDefault("Location", ""));
      default -> kind.isJoin() ? joinType() + "|" + joinKeys() : "";
    };
    long h = Shapes.mix(31L * stripIds(name).hashCode() + what.hashCode());
    for (PlanNode child : children) {
      h = 31 * h + child.shape();
    }
    return Shapes.mix(h);
  }

  /**
   * What a scan reads, without the partitions it pruned to: the first path of its location with
   * partition directories and the path count taken out. A daily loop over one table keeps it.
   */
  static String scanRoot(String location) {
    String root = PARTITION_DIR.matcher(location).replaceAll("");
    int open = root.indexOf('[');
    if (open < 0) {
      return root;
    }
    int end = open + 1;
    while (end < root.length() && root.charAt(end) != ',' && root.charAt(end) != ']') {
      end++;
    }
    return root.substring(0, end);
  }

  public static String stripIds(String s) {
    return EXPR_ID.matcher(s).replaceAll("");
  }

  public boolean anyMatch(Predicate<PlanNode> test) {
    if (test.test(this)) {
      return true;
    }
    for (PlanNode child : children) {
      if (child.anyMatch(test)) {
        return true;
      }
    }
    return false;
  }

  public int count(Predicate<PlanNode> test) {
    int n = test.test(this) ? 1 : 0;
    for (PlanNode child : children) {
      n += child.count(test);
    }
    return n;
  }

  /** Every operator in this tree that passes {@code test}, parents before children. */
  public List<PlanNode> findAll(Predicate<PlanNode> test) {
    List<PlanNode> out = new ArrayList<>();
    collect(test, out);
    return out;
  }

  private void collect(Predicate<PlanNode> test, List<PlanNode> out) {
    if (test.test(this)) {
      out.add(this);
    }
    for (PlanNode child : children) {
      child.collect(test, out);
    }
  }

  /** The parent of {@code node} in this tree, or null when it is the root or not here. */
  public PlanNode parentOf(PlanNode node) {
    for (PlanNode child : children) {
      if (child == node) {
        return this;
      }
      PlanNode p = child.parentOf(node);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  public static PlanNode empty() {
    return new PlanNode("", "", OperatorKind.OTHER, List.of());
  }
}
