package io.sparkadvisor.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the model closes when an end event was lost, and what a late end still completes. */
class AppStateLifecycleTest {
  private final AppState app = new AppState(10, 10);

  private void job(int jobId, int... stageIds) {
    app.jobStarted(new AdvisorEvent.JobStart(jobId, 1_000, stageIds, -1, null, null, null));
  }

  private StageStats submit(int stageId) {
    return app.stageSubmitted(new AdvisorEvent.StageSubmitted(stageId, 0, "s" + stageId, 4, 1_000, null, null, -1));
  }

  private SqlQuery query(long executionId, long time) {
    return app.queryStarted(new AdvisorEvent.SqlStart(executionId, "q", time, () -> PlanNode.empty(), Map::of),
        PlanNode.empty(), Map.of());
  }

  @Test
  void aStageStillOpenAtItsJobsEndIsClosedUnseen() {
    job(1, 1, 2);
    submit(1);
    StageStats lost = submit(2);
    app.stageCompleted(new AdvisorEvent.StageCompleted(1, 0, 5_000, null));
    assertThat(app.jobEnded(new AdvisorEvent.JobEnd(1, 6_000, true))).containsExactly(lost);
    assertThat(app.activeStages()).isEmpty();
    assertThat(app.completedStages()).contains(lost);
    assertThat(lost.isCompleted()).isTrue();
    assertThat(lost.completionSeen()).isFalse();
    assertThat(lost.completionTime()).isEqualTo(6_000);
    assertThat(app.totals().stagesCompleted()).as("only the completion seen counts").isEqualTo(1);
  }

  @Test
  void aStageSharedWithARunningJobStaysOpenUntilThatJobEnds() {
    job(1, 1, 2);
    job(2, 1, 3);
    StageStats shared = submit(1);
    assertThat(app.jobEnded(new AdvisorEvent.JobEnd(1, 6_000, false))).isEmpty();
    assertThat(app.activeStages()).containsExactly(shared);
    assertThat(app.jobEnded(new AdvisorEvent.JobEnd(2, 7_000, true))).containsExactly(shared);
    assertThat(app.activeStages()).isEmpty();
  }

  @Test
  void aCompletionThatComesLateCompletesTheClosedStage() {
    job(1, 2);
    StageStats lost = submit(2);
    app.jobEnded(new AdvisorEvent.JobEnd(1, 6_000, true));
    StageStats done = app.stageCompleted(new AdvisorEvent.StageCompleted(2, 0, 5_500, null));
    assertThat(done).isSameAs(lost);
    assertThat(done.completionSeen()).isTrue();
    assertThat(done.completionTime()).isEqualTo(5_500);
  }

  @Test
  void openStagesAreBoundedWhenTheirJobsEndWasLostToo() {
    StageStats first = submit(0);
    for (int i = 1; i <= AppState.MIN_OPEN; i++) {
      submit(i);
    }
    assertThat(app.activeStages()).hasSize(AppState.MIN_OPEN).doesNotContain(first);
    assertThat(first.isCompleted()).isTrue();
    assertThat(first.completionSeen()).isFalse();
  }

  @Test
  void openQueriesAreBoundedAndALateEndIsStillTaken() {
    SqlQuery first = query(0, 1_000);
    for (int i = 1; i <= AppState.MIN_OPEN; i++) {
      query(i, 2_000);
    }
    assertThat(app.activeQueryCount()).isEqualTo(AppState.MIN_OPEN);
    assertThat(first.isEnded()).isTrue();
    assertThat(first.endSeen()).isFalse();
    assertThat(app.query(0)).isSameAs(first);

    assertThat(app.queryEnded(new AdvisorEvent.SqlEnd(0, 9_000, null))).isSameAs(first);
    assertThat(first.endSeen()).isTrue();
    assertThat(first.endTime()).isEqualTo(9_000);
    assertThat(app.queryEnded(new AdvisorEvent.SqlEnd(0, 9_500, null)))
        .as("an end seen already is not taken twice").isNull();
  }

  @Test
  void theApplicationsEndClosesEverythingStillOpen() {
    job(1, 1);
    StageStats stage = submit(1);
    SqlQuery q = query(4, 1_000);
    app.appEnded(new AdvisorEvent.AppEnd(9_000));
    assertThat(app.activeStages()).isEmpty();
    assertThat(app.activeQueryCount()).isZero();
    assertThat(stage.completionSeen()).isFalse();
    assertThat(stage.completionTime()).isEqualTo(9_000);
    assertThat(q.endSeen()).isFalse();
    assertThat(app.query(4)).isSameAs(q);
    assertThat(app.jobEnded(new AdvisorEvent.JobEnd(1, 9_500, true))).isEmpty();
  }
}
