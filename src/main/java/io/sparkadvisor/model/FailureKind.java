package io.sparkadvisor.model;

/** Why a task attempt failed, in the groups a user acts on. */
public enum FailureKind {
  EXCEPTION("exception"),
  OUT_OF_MEMORY("out of memory"),
  FETCH_FAILED("shuffle fetch failure"),
  EXECUTOR_LOST("executor lost"),
  RESULT_LOST("task result lost"),
  COMMIT_DENIED("output commit denied"),
  OTHER("other");

  private final String label;

  FailureKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
