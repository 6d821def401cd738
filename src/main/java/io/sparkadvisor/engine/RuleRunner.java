package io.sparkadvisor.engine;

import io.sparkadvisor.config.AdvisorConfig;
import io.sparkadvisor.config.RuleOptions;
import io.sparkadvisor.config.SparkSettings;
import io.sparkadvisor.findings.Finding;
import io.sparkadvisor.findings.FindingLog;
import io.sparkadvisor.findings.Scope;
import io.sparkadvisor.model.AppState;
import io.sparkadvisor.model.SqlQuery;
import io.sparkadvisor.model.StageStats;
import io.sparkadvisor.model.StreamState;
import io.sparkadvisor.rules.BuiltInRules;
import io.sparkadvisor.rules.Rule;
import io.sparkadvisor.rules.RuleContext;
import io.sparkadvisor.rules.RuleInfo;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the enabled rules against the model. Each call runs inside a catch of Throwable: a rule that
 * fails is switched off with one WARN, and the others go on.
 */
public final class RuleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(RuleRunner.class);

  private final class Slot implements RuleContext {
    final Rule rule;
    final RuleInfo info;
    boolean off;

    Slot(Rule rule, RuleInfo info) {
      this.rule = rule;
      this.info = info;
    }

    @Override
    public SparkSettings spark() {
      return spark;
    }

    @Override
    public AppState app() {
      return app;
    }

    @Override
    public Finding.Builder finding(Scope scope) {
      return Finding.builder(info.id(), info.severity(), scope);
    }

    @Override
    public void report(Finding finding) {
      findings.report(finding);
    }
  }

  private final List<Slot> slots;
  private final SparkSettings spark;
  private final AppState app;
  private final FindingLog findings;

  private RuleRunner(List<Slot> slots, SparkSettings spark, AppState app, FindingLog findings) {
    this.slots = slots;
    this.spark = spark;
    this.app = app;
    this.findings = findings;
  }

  /**
   * Builds the built-in rules, then any custom ones, from the configuration. Unknown rule ids,
   * unknown options and custom rules that cannot be loaded go to {@code warnings}.
   */
  public static RuleRunner create(AdvisorConfig config, AppState app, FindingLog findings,
      Consumer<String> warnings) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    List<RuleOptions> options = new ArrayList<>();
    for (BuiltInRules.Entry entry : BuiltInRules.ALL) {
      String id = entry.info().id();
      RuleOptions o = new RuleOptions(id, config.ruleOptions(id), warnings);
      options.add(o);
      rules.put(id, entry.factory().apply(o));
    }
    for (String className : config.customRules()) {
      Rule custom = loadCustom(className, config, options, warnings);
      if (custom != null && rules.putIfAbsent(custom.info().id(), custom) != null) {
        warnings.accept("ignoring custom rule " + className + ": its id " + custom.info().id()
            + " is taken by a built-in rule");
      }
    }
    for (String id : config.disabledRules()) {
      if (!rules.containsKey(id)) {
        warnings.accept("unknown rule id '" + id + "' in " + AdvisorConfig.RULES_DISABLED
            + "; known ids: " + String.join(", ", rules.keySet()));
      }
    }
    for (String id : config.ruleIdsWithOptions()) {
      if (!rules.containsKey(id)) {
        warnings.accept("unknown rule id '" + id + "' in " + AdvisorConfig.RULE_PREFIX + id
            + ".*; known ids: " + String.join(", ", rules.keySet()));
      }
    }
    for (RuleOptions o : options) {
      for (String param : o.unknownGiven()) {
        warnings.accept("ignoring unknown option " + o.key(param) + "; " + o.ruleId() + " reads "
            + String.join(", ", o.declared().keySet()));
      }
    }
    List<Slot> slots = new ArrayList<>();
    RuleRunner runner = new RuleRunner(slots, config.spark(), app, findings);
    rules.forEach((id, rule) -> {
      if (!config.disabledRules().contains(id)) {
        slots.add(runner.new Slot(rule, rule.info()));
      }
    });
    return runner;
  }

  private static Rule loadCustom(String className, AdvisorConfig config, List<RuleOptions> options,
      Consumer<String> warnings) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class<?> type = Class.forName(className, true,
          loader != null ? loader : RuleRunner.class.getClassLoader());
      RuleInfo info = type.getAnnotation(RuleInfo.class);
      if (!Rule.class.isAssignableFrom(type) || info == null) {
        warnings.accept("ignoring custom rule " + className + ": it must implement "
            + Rule.class.getName() + " and carry @" + RuleInfo.class.getSimpleName());
        return null;
      }
      try {
        Constructor<?> c = type.getConstructor(RuleOptions.class);
        RuleOptions o = new RuleOptions(info.id(), config.ruleOptions(info.id()), warnings);
        options.add(o);
        return (Rule) c.newInstance(o);
      } catch (NoSuchMethodException e) {
        return (Rule) type.getConstructor().newInstance();
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      warnings.accept("ignoring custom rule " + className + ": cannot load it (" + e + ")");
      return null;
    }
  }

  /** Ids of the rules that are on. */
  public List<String> activeRuleIds() {
    return slots.stream().filter(s -> !s.off).map(s -> s.info.id()).toList();
  }

  public void stageCompleted(StageStats stage) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onStageCompleted(stage, s));
    }
  }

  public void stagesRunning(Iterable<StageStats> stages, long now) {
    for (StageStats stage : stages) {
      for (Slot s : slots) {
        run(s, () -> s.rule.onStageRunning(stage, now, s));
      }
    }
  }

  /** The once-a-second pass with the whole model. */
  public void tick(AppState state, long now) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onTick(state, now, s));
    }
  }

  public void queryRunning(SqlQuery query) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onQueryRunning(query, s));
    }
  }

  public void queryProgress(SqlQuery query, StageStats stage) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onQueryProgress(query, stage, s));
    }
  }

  public void queryEnded(SqlQuery query) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onQueryEnded(query, s));
    }
  }

  public void streamProgress(StreamState stream) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onStreamProgress(stream, s));
    }
  }

  public void streamTerminated(StreamState stream) {
    for (Slot s : slots) {
      run(s, () -> s.rule.onStreamTerminated(stream, s));
    }
  }

  public void applicationEnd() {
    for (Slot s : slots) {
      run(s, () -> s.rule.onApplicationEnd(app, s));
    }
  }

  private static void run(Slot s, Runnable call) {
    if (s.off) {
      return;
    }
    try {
      call.run();
    } catch (Throwable t) {
      s.off = true;
      LOG.warn("spark-advisor: rule {} failed and is switched off for the rest of this application; "
          + "the job is not affected: {}", s.info.id(), t.toString(), t);
    }
  }
}
