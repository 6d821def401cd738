package io.sparkadvisor.rules;

import io.sparkadvisor.findings.Severity;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A rule's identity: its id (UpperCamel, the {@code [RuleId]} of its findings), summary, severity. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RuleInfo {
  String id();

  String summary();

  Severity severity();
}
