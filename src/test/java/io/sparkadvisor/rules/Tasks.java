package io.sparkadvisor.rules;

import io.sparkadvisor.model.AdvisorEvent;
import io.sparkadvisor.model.FailureKind;

/** Builds task-end events for rule fixtures: a successful task with zero metrics, then setters. */
final class Tasks {
  private static long nextTaskId = 1;

  int stageId;
  int attempt;
  long taskId = nextTaskId++;
  int index;
  int partition;
  String executor = "1";
  String host = "host-1";
  boolean resultTask;
  long launch = 1_000_000;
  long duration = 100;
  long gettingResultTime;
  boolean killed;
  boolean speculative;
  FailureKind failure;
  String failureDetail = "";
  String failureMessage;
  long runTime = -1;
  long gc;
  long resultBytes;
  long memorySpill;
  long diskSpill;
  long inputBytes;
  long shuffleRead;
  long shuffleWrite;

  static Tasks task(int stageId, int partition, long durationMs) {
    Tasks t = new Tasks();
    t.stageId = stageId;
    t.index = partition;
    t.partition = partition;
    t.duration = durationMs;
    return t;
  }

  Tasks executor(String id) {
    executor = id;
    return this;
  }

  Tasks runTime(long ms) {
    runTime = ms;
    return this;
  }

  Tasks gc(long ms) {
    gc = ms;
    return this;
  }

  Tasks spill(long memory, long disk) {
    memorySpill = memory;
    diskSpill = disk;
    return this;
  }

  Tasks shuffleRead(long bytes) {
    shuffleRead = bytes;
    return this;
  }

  Tasks input(long bytes) {
    inputBytes = bytes;
    return this;
  }

  Tasks result(long bytes) {
    resultTask = true;
    resultBytes = bytes;
    return this;
  }

  Tasks failed(FailureKind kind, String detail, String message) {
    failure = kind;
    failureDetail = detail;
    failureMessage = message;
    return this;
  }

  Tasks killed() {
    killed = true;
    return this;
  }

  Tasks speculative() {
    speculative = true;
    return this;
  }

  Tasks launchedAt(long time) {
    launch = time;
    return this;
  }

  AdvisorEvent.TaskStart start() {
    return new AdvisorEvent.TaskStart(stageId, attempt, taskId, index, partition, launch, executor, host,
        speculative);
  }

  AdvisorEvent.TaskEnd end() {
    return new AdvisorEvent.TaskEnd(stageId, attempt, taskId, index, partition, executor, host, false,
        resultTask, launch, launch + duration, gettingResultTime, killed, failure, failureDetail,
        failureMessage, runTime >= 0 ? runTime : duration, 0, 0, gc, resultBytes, memorySpill, diskSpill,
        inputBytes, 0, 0, 0, shuffleRead, 0, 0, shuffleWrite, 0);
  }
}
