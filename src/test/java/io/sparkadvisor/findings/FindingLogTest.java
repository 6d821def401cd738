package io.sparkadvisor.findings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FindingLogTest {
  private static Scope stage(int id, String callSite) {
    return new Scope(Scope.Kind.STAGE, id, 0, callSite, "nightly", null, -1);
  }

  private static Finding finding(String rule, Scope scope, long cost) {
    return Finding.builder(rule, Severity.WARN, scope).message("evidence\nwith a newline")
        .cost(cost, "~" + Units.duration(cost)).fix("do this").evidence("n", 3).build();
  }

  private static final class Recording implements FindingSink {
    final List<Finding> emitted = new ArrayList<>();
    final List<Integer> repeats = new ArrayList<>();

    @Override
    public void emit(Finding f) {
      emitted.add(f);
    }

    @Override
    public void repeated(Finding f, int timesSeen) {
      repeats.add(timesSeen);
    }
  }

  @Test
  void theSameFindingAtTheSamePlaceIsLoggedOnceAndCounted() {
    Recording sink = new Recording();
    FindingLog log = new FindingLog(List.of(sink), 100);
    // The same call site in a loop gets new stage ids each time: still the same place.
    assertThat(log.report(finding("TaskSkew", stage(3, "count at A.java:1"), 1_000))).isTrue();
    assertThat(log.report(finding("TaskSkew", stage(9, "count at A.java:1"), 2_000))).isFalse();
    assertThat(log.report(finding("TaskSkew", stage(4, "count at B.java:2"), 500))).isTrue();
    assertThat(log.report(finding("DiskSpill", stage(3, "count at A.java:1"), 100))).isTrue();
    assertThat(sink.emitted).hasSize(3);
    assertThat(sink.repeats).containsExactly(2);
    List<FindingLog.Entry> ranked = log.ranked();
    assertThat(ranked.get(0).count()).isEqualTo(2);
    assertThat(ranked.get(0).totalCostMillis()).isEqualTo(3_000);
    assertThat(ranked).extracting(e -> e.first().ruleId()).containsExactly("TaskSkew", "TaskSkew", "DiskSpill");
    assertThat(log.total()).isEqualTo(4);
  }

  @Test
  void oneCallSiteWithAnotherShapeIsAnotherPlace() {
    Recording sink = new Recording();
    FindingLog log = new FindingLog(List.of(sink), 100);
    Scope helper = new Scope(Scope.Kind.STAGE, 3, 0, "count at Helper.java:7", "nightly", null, -1, "a1");
    Scope otherInput = new Scope(Scope.Kind.STAGE, 5, 0, "count at Helper.java:7", "nightly", null, -1, "b2");
    Scope loopAgain = new Scope(Scope.Kind.STAGE, 9, 0, "count at Helper.java:7", "nightly", null, -1, "a1");
    assertThat(log.report(finding("TaskSkew", helper, 1_000))).isTrue();
    assertThat(log.report(finding("TaskSkew", otherInput, 1_000))).isTrue();
    assertThat(log.report(finding("TaskSkew", loopAgain, 1_000))).isFalse();
    assertThat(sink.emitted).extracting(f -> f.scope().stageId()).containsExactly(3, 5);
    assertThat(sink.repeats).containsExactly(2);
  }

  @Test
  void aQueryJudgedAgainInTheSameRunIsNotARepeat() {
    Recording sink = new Recording();
    FindingLog log = new FindingLog(List.of(sink), 100);
    Scope first = new Scope(Scope.Kind.QUERY, -1, -1, "", null, "daily join", 7);
    Scope again = new Scope(Scope.Kind.QUERY, -1, -1, "", null, "daily join", 7);
    Scope nextRun = new Scope(Scope.Kind.QUERY, -1, -1, "", null, "daily join", 12);
    assertThat(log.report(finding("JoinExplosion", first, 1_000))).isTrue();
    // At a stage boundary and again at the query's end: the same run, neither logged nor counted.
    assertThat(log.report(finding("JoinExplosion", again, 1_000))).isFalse();
    assertThat(log.ranked().get(0).count()).isEqualTo(1);
    // The same query run again in a loop is a repeat.
    assertThat(log.report(finding("JoinExplosion", nextRun, 1_000))).isFalse();
    assertThat(log.ranked().get(0).count()).isEqualTo(2);
    assertThat(sink.emitted).hasSize(1);
    assertThat(sink.repeats).containsExactly(2);
    assertThat(log.total()).isEqualTo(2);
  }

  @Test
  void aNarrowerOccurrenceMakesASecondSightingInTheSameRunARepeat() {
    FindingLog log = new FindingLog(List.of(), 100);
    Scope stage = stage(5, "save at Export.java:9");
    Finding task1 = Finding.builder("StragglerTask", Severity.WARN, stage).occurrence("stage:5.0:task1")
        .message("task 1 is slow").fix("speculation").build();
    Finding task2 = Finding.builder("StragglerTask", Severity.WARN, stage).occurrence("stage:5.0:task2")
        .message("task 2 is slow").fix("speculation").build();
    assertThat(log.report(task1)).isTrue();
    assertThat(log.report(task1)).isFalse();
    assertThat(log.report(task2)).isFalse();
    assertThat(log.ranked().get(0).count()).isEqualTo(2);
  }

  @Test
  void placesAreCapped() {
    FindingLog log = new FindingLog(List.of(), 2);
    for (int i = 0; i < 5; i++) {
      log.report(finding("TaskSkew", stage(i, "site " + i), 1));
    }
    assertThat(log.ranked()).hasSize(2);
  }

  @Test
  void aFindingRendersAsOneLineStartingWithItsRule() {
    String line = finding("TaskSkew", stage(3, "count at\nA.java:1"), 41_000).render();
    assertThat(line).startsWith("[TaskSkew] stage 3.0 'count at A.java:1' [job group 'nightly']: ")
        .contains("evidence with a newline; cost ~41 s; fix: do this (docs/rules/TaskSkew.md)")
        .doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void jsonLinesHoldEachFindingAsAnObject(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/findings.jsonl");
    JsonLinesSink sink = new JsonLinesSink(file);
    sink.emit(finding("TaskSkew", stage(3, "count \"quoted\""), 41_000));
    sink.emit(Finding.builder("IdleCores", Severity.INFO, Scope.application()).message("m").fix("f")
        .evidence("reasons", Map.of("a", 1)).evidence("durationsMs", List.of(1_200L, 1_500L)).build());
    // Flushed as written: readable before close.
    List<String> lines = Files.readAllLines(file);
    sink.close();
    assertThat(lines).hasSize(2);
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertThat(first.get("rule").asText()).isEqualTo("TaskSkew");
    assertThat(first.get("severity").asText()).isEqualTo("WARN");
    assertThat(first.at("/scope/stageId").asInt()).isEqualTo(3);
    assertThat(first.at("/scope/callSite").asText()).isEqualTo("count \"quoted\"");
    assertThat(first.at("/evidence/n").asInt()).isEqualTo(3);
    assertThat(first.get("costMs").asLong()).isEqualTo(41_000);
    assertThat(first.get("fix").asText()).isEqualTo("do this");
    JsonNode second = new ObjectMapper().readTree(lines.get(1));
    assertThat(second.at("/scope/kind").asText()).isEqualTo("application");
    assertThat(second.at("/evidence/reasons/a").asInt()).isEqualTo(1);
    assertThat(second.at("/evidence/durationsMs/1").asLong()).isEqualTo(1_500L);
  }

  @Test
  void anUnwritablePathSwitchesTheFileOffWithoutThrowing(@TempDir Path dir) throws Exception {
    Path blocker = dir.resolve("file");
    Files.writeString(blocker, "x");
    JsonLinesSink sink = new JsonLinesSink(blocker.resolve("findings.jsonl"));
    sink.emit(finding("TaskSkew", stage(1, "s"), 1));
    sink.close();
    assertThat(Files.isDirectory(blocker)).isFalse();
  }
}
