package io.sparkadvisor.e2e;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.AdvisorAccess;
import io.sparkadvisor.capture.Scala;
import io.sparkadvisor.model.PlanNode;
import io.sparkadvisor.plan.PlanEstimates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's join estimates are read, never computed: computing a plan's statistics may ask a
 * catalog or a connector, which is the job's business, not the advisor's.
 */
class PlanEstimatesEndToEndTest {

  @Test
  void estimatesAreReadFromWhatThePlannerCachedAndNeverComputed() throws Exception {
    SparkSession spark = Sessions.start("plan-estimates", Map.of("spark.sql.adaptive.enabled", "false",
        "spark.sql.autoBroadcastJoinThreshold", "-1"));
    try {
      Dataset<Row> joined = spark.range(0, 10_000).withColumn("k", col("id").mod(100))
          .join(spark.range(0, 100).withColumnRenamed("id", "k"), "k");
      QueryExecution qe = joined.queryExecution();
      qe.executedPlan(); // planned, as Spark plans a query before it starts it

      // The planner sized both sides when it chose the sort-merge join: those figures are read.
      Map<String, PlanNode.Estimate> planned = PlanEstimates.of(qe);
      assertThat(planned).hasSize(1);
      PlanNode.Estimate e = planned.values().iterator().next();
      assertThat(e.leftBytes()).isPositive();
      assertThat(e.rightBytes()).isPositive();

      // Statistics nobody computed: no estimates, and none computed to get them. The physical
      // plan links to the logical plans it was planned from (a copy of the optimized plan).
      List<LogicalPlan> logical = linkedLogicalPlans(qe.executedPlan());
      assertThat(logical).isNotEmpty();
      logical.forEach(LogicalPlan::invalidateStatsCache);
      assertThat(PlanEstimates.of(qe)).isEmpty();
      assertThat(logical).allSatisfy(n -> assertThat(n.statsCache().isEmpty())
          .as("statistics of %s computed", n.nodeName()).isTrue());

      // And the advisor, reading the same QueryExecution from the query's start and end events
      // on its own thread, computes none either.
      assertThat(joined.collectAsList()).hasSize(10_000); // collect runs this very QueryExecution
      spark.sparkContext().listenerBus().waitUntilEmpty();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (AdvisorAccess.metrics().memoryRegistry().get("spark.advisor.queue.depth").gauge().value() > 0
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300); // the last event taken off the queue is processed
      assertThat(logical).allSatisfy(n -> assertThat(n.statsCache().isEmpty())
          .as("statistics of %s computed", n.nodeName()).isTrue());
    } finally {
      Sessions.stop(spark);
    }
  }

  /** Every logical plan node a physical node links to, with their children. */
  private static List<LogicalPlan> linkedLogicalPlans(SparkPlan root) {
    List<LogicalPlan> out = new ArrayList<>();
    List<SparkPlan> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      SparkPlan p = todo.remove(todo.size() - 1);
      if (p.logicalLink().isDefined()) {
        List<LogicalPlan> logical = new ArrayList<>(List.of(p.logicalLink().get()));
        while (!logical.isEmpty()) {
          LogicalPlan l = logical.remove(logical.size() - 1);
          out.add(l);
          logical.addAll(Scala.list(l.children()));
        }
      }
      todo.addAll(Scala.list(p.children()));
    }
    return out;
  }
}
