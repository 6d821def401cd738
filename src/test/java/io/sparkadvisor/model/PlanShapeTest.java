package io.sparkadvisor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanShapeTest {
  private static PlanNode query(String location, String filter, String keys) {
    PlanNode scan = new PlanNode("Scan parquet ", "FileScan parquet [id#1,day#2]", OperatorKind.FILE_SCAN,
        Map.of("Format", "Parquet", "Location", "InMemoryFileIndex[" + location + "]"), Map.of(), List.of());
    PlanNode filtered = new PlanNode("Filter", "Filter (day#2 = " + filter + ")", OperatorKind.OTHER, List.of(scan));
    PlanNode other = new PlanNode("Scan parquet ", "FileScan parquet [id#7]", OperatorKind.FILE_SCAN,
        Map.of("Format", "Parquet", "Location", "InMemoryFileIndex[/data/dim]"), Map.of(), List.of());
    return new PlanNode("SortMergeJoin", "SortMergeJoin " + keys + ", Inner", OperatorKind.SORT_MERGE_JOIN,
        List.of(filtered, other));
  }

  @Test
  void theSameQueryOverOtherLiteralsOrExpressionIdsKeepsItsShape() {
    assertThat(query("/data/sales", "'2024-01-01'", "[id#1], [id#7]").shape())
        .isEqualTo(query("/data/sales", "'2024-01-02'", "[id#31], [id#37]").shape());
  }

  @Test
  void aScanPrunedToOtherPartitionsOfOneTableKeepsItsShape() {
    assertThat(query("file:/warehouse/sales/day=2024-01-01", "'2024-01-01'", "[id#1], [id#7]").shape())
        .isEqualTo(query("file:/warehouse/sales/day=2024-01-02, file:/warehouse/sales/day=2024-01-03",
            "'2024-01-02'", "[id#1], [id#7]").shape());
    assertThat(PlanNode.scanRoot("PrunedInMemoryFileIndex(2 paths)[file:/w/sales/day=1, file:/w/sales/day=2]"))
        .isEqualTo("PrunedInMemoryFileIndex[file:/w/sales");
  }

  @Test
  void anotherInputOrOtherJoinKeysAreAnotherShape() {
    long base = query("/data/sales", "'2024-01-01'", "[id#1], [id#7]").shape();
    assertThat(query("/data/returns", "'2024-01-01'", "[id#1], [id#7]").shape()).isNotEqualTo(base);
    assertThat(query("/data/sales", "'2024-01-01'", "[day#2], [id#7]").shape()).isNotEqualTo(base);
  }
}
