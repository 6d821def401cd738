package io.sparkadvisor;

import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.util.QueryExecutionListener;

/**
 * Optional: {@code spark.sql.queryExecutionListeners=io.sparkadvisor.SparkAdvisorQueryListener}
 * hands each finished query's QueryExecution to the advisor. {@link SparkAdvisorListener} already
 * reads the QueryExecution from Spark's SQL events, so this adds nothing but is safe: what it hands
 * over is keyed by the plan's own metric ids, and handing it twice changes nothing, so findings
 * are never doubled. Without the SparkAdvisorListener attached it does nothing.
 */
public final class SparkAdvisorQueryListener implements QueryExecutionListener {

  @Override
  public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
    handOver(qe);
  }

  @Override
  public void onFailure(String funcName, QueryExecution qe, Exception exception) {
    // A query that failed may have failed in planning; asking its QueryExecution for the plan
    // would plan it again. Nothing to hand over.
  }

  private static void handOver(QueryExecution qe) {
    SparkAdvisorListener advisor = SparkAdvisorListener.current();
    if (advisor != null) {
      advisor.queryExecuted(qe);
    }
  }
}
