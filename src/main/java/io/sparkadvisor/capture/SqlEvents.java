package io.sparkadvisor.capture;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.plan.PlanSummarizer;
import java.util.function.Consumer;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;

/** The SQL events, in a class of their own so that only SQL applications load SQL classes. */
final class SqlEvents {
  private SqlEvents() {}

  static void capture(SparkListenerEvent e, Consumer<AdvisorEvent> sink) {
    if (e instanceof SparkListenerSQLExecutionStart s) {
      // The plan is summarized and the conf converted on the advisor's thread, not here.
      sink.accept(new AdvisorEvent.SqlStart(s.executionId(), s.description(), s.time(),
          () -> PlanSummarizer.summarize(s.sparkPlanInfo()), () -> Scala.map(s.modifiedConfigs())));
    } else if (e instanceof SparkListenerSQLExecutionEnd s) {
      sink.accept(new AdvisorEvent.SqlEnd(s.executionId(), s.time(), Scala.stringOr(s.errorMessage(), null)));
    }
  }
}
