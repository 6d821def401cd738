package io.sparkadvisor.capture;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.plan.PlanEstimates;
import io.sparkadvisor.plan.PlanSummarizer;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SQLExecution;
import org.apache.spark.sql.execution.ui.SparkListenerDriverAccumUpdates;
import org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

/**
 * The SQL events, in a class of their own so that only SQL applications load SQL classes. Plans
 * are summarized and estimates read on the advisor's thread: here only references are taken.
 */
final class SqlEvents {
  private SqlEvents() {}

  static void capture(SparkListenerEvent e, Consumer<AdvisorEvent> sink) {
    if (e instanceof SparkListenerSQLExecutionStart s) {
      // The QueryExecution is registered while the query runs; a replayed or already finished
      // query has none here, and its estimates may come with the end event instead.
      // An empty plan means planning failed: its QueryExecution would plan again if asked.
      boolean planned = s.sparkPlanInfo() != null && !s.sparkPlanInfo().nodeName().isEmpty();
      QueryExecution qe = planned ? SQLExecution.getQueryExecution(s.executionId()) : null;
      sink.accept(new AdvisorEvent.SqlStart(s.executionId(), s.description(), s.time(),
          () -> PlanSummarizer.summarize(s.sparkPlanInfo()), () -> Scala.map(s.modifiedConfigs()),
          estimates(qe)));
    } else if (e instanceof SparkListenerSQLAdaptiveExecutionUpdate u) {
      sink.accept(new AdvisorEvent.SqlPlanUpdate(u.executionId(),
          () -> PlanSummarizer.summarize(u.sparkPlanInfo())));
    } else if (e instanceof SparkListenerDriverAccumUpdates d) {
      long[][] pairs = Scala.longPairs(d.accumUpdates());
      sink.accept(new AdvisorEvent.SqlDriverMetrics(d.executionId(), pairs[0], pairs[1]));
    } else if (e instanceof SparkListenerSQLExecutionEnd s) {
      sink.accept(new AdvisorEvent.SqlEnd(s.executionId(), s.time(), Scala.stringOr(s.errorMessage(), null),
          estimates(s.qe())));
    }
  }

  static AdvisorEvent.Estimates estimates(QueryExecution qe) {
    return qe == null ? AdvisorEvent.Estimates.NONE : () -> PlanEstimates.of(qe);
  }
}
