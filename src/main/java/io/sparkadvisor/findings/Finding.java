package io.sparkadvisor.findings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One finding: which rule, where, the evidence in numbers, what it costs and the fix. It renders
 * as exactly one log line starting with {@code [RuleId]}, and as one JSON object.
 */
public final class Finding {
  private final String ruleId;
  private final Severity severity;
  private final Scope scope;
  private final String message;
  private final long costMillis;
  private final String costText;
  private final String fix;
  private final Map<String, Object> evidence;
  private final String place;
  private final String occurrence;

  private Finding(Builder b) {
    this.place = b.place == null ? b.scope.shapeKey() : b.place;
    this.occurrence = b.occurrence == null ? b.scope.occurrence() : b.occurrence;
    this.ruleId = b.ruleId;
    this.severity = b.severity;
    this.scope = b.scope;
    this.message = Objects.requireNonNull(b.message, "message");
    this.costMillis = Math.max(0, b.costMillis);
    this.costText = b.costText;
    this.fix = Objects.requireNonNull(b.fix, "fix");
    this.evidence = Collections.unmodifiableMap(new LinkedHashMap<>(b.evidence));
  }

  public static Builder builder(String ruleId, Severity severity, Scope scope) {
    return new Builder(ruleId, severity, scope);
  }

  public String ruleId() {
    return ruleId;
  }

  public Severity severity() {
    return severity;
  }

  public Scope scope() {
    return scope;
  }

  /** The evidence sentence, with numbers and units. */
  public String message() {
    return message;
  }

  /** Estimated time lost, used to rank findings; 0 when the rule cannot put a time on it. */
  public long costMillis() {
    return costMillis;
  }

  public String costText() {
    return costText;
  }

  public String fix() {
    return fix;
  }

  /** The numbers behind the message, by name, for the JSON-lines output. */
  public Map<String, Object> evidence() {
    return evidence;
  }

  public String docsPage() {
    return "docs/rules/" + ruleId + ".md";
  }

  /** Findings with the same key are the same problem in the same place, logged once. */
  public String dedupKey() {
    return ruleId + "|" + place;
  }

  /**
   * Which run of the place this finding is about; the same finding for the same run is not a
   * repeat (see {@link FindingLog#report}).
   */
  public String occurrence() {
    return occurrence;
  }

  /** The log line: {@code [RuleId] where: evidence; cost ~...; fix: ... (docs/rules/RuleId.md)}. */
  public String render() {
    String line = "[" + ruleId + "] " + scope.where() + ": " + message
        + (costText == null || costText.isEmpty() ? "" : "; cost " + costText)
        + "; fix: " + fix + " (" + docsPage() + ")";
    return line.replaceAll("[\\r\\n]+", " ");
  }

  @Override
  public String toString() {
    return render();
  }

  /** Collects a finding's parts; rules get one from their context with id and severity set. */
  public static final class Builder {
    private final String ruleId;
    private final Severity severity;
    private final Scope scope;
    private String message;
    private long costMillis;
    private String costText = "";
    private String fix;
    private final Map<String, Object> evidence = new LinkedHashMap<>();
    private String place;
    private String occurrence;

    private Builder(String ruleId, Severity severity, Scope scope) {
      this.ruleId = Objects.requireNonNull(ruleId);
      this.severity = Objects.requireNonNull(severity);
      this.scope = Objects.requireNonNull(scope);
    }

    public Builder message(String message) {
      this.message = message;
      return this;
    }

    public Builder cost(long millis, String text) {
      this.costMillis = millis;
      this.costText = text;
      return this;
    }

    public Builder fix(String fix) {
      this.fix = fix;
      return this;
    }

    /**
     * Widens "the same place" beyond the scope's call site, e.g. {@code application} for a
     * setting that affects every query alike, so that it is logged once and counted after.
     */
    public Builder samePlaceAs(String place) {
      this.place = place;
      return this;
    }

    /**
     * Narrows "the same run" below the scope's: e.g. one task of a stage attempt, so that a second
     * straggler in the same stage counts as a repeat rather than as the same sighting.
     */
    public Builder occurrence(String occurrence) {
      this.occurrence = occurrence;
      return this;
    }

    /** A number or short string behind the message; JSON gets it under this name. */
    public Builder evidence(String name, Object value) {
      evidence.put(name, value);
      return this;
    }

    public Finding build() {
      return new Finding(this);
    }
  }
}
