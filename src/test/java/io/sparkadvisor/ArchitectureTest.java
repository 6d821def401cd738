package io.sparkadvisor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering the code depends on: rules and model never see Spark; plan classes are read in
 * plan (capture only hands the event's plan object over, unread).
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.sparkadvisor");

  @Test
  void rulesModelFindingsAndConfigAreFreeOfSpark() {
    noClasses().that().resideInAnyPackage("..rules..", "..model..", "..findings..", "..config..", "..engine..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
        .check(CLASSES);
  }

  @Test
  void onlyThePlanPackageReadsPlanClasses() {
    // The entry points in io.sparkadvisor receive a QueryExecution and pass it on unread.
    noClasses().that().resideOutsideOfPackages("..plan..", "..capture..", "io.sparkadvisor")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.apache.spark.sql.execution", "org.apache.spark.sql.execution.adaptive..",
            "org.apache.spark.sql.catalyst.plans..")
        .check(CLASSES);
  }

  @Test
  void onlyCaptureReadsSparkEvents() {
    noClasses().that().resideOutsideOfPackages("..capture..", "io.sparkadvisor")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark.scheduler..",
            "org.apache.spark.sql.execution.ui..")
        .check(CLASSES);
  }

  @Test
  void rulesDoNotReachIntoTheEngine() {
    noClasses().that().resideInAPackage("..rules..")
        .should().dependOnClassesThat().resideInAnyPackage("..engine..", "..capture..", "..metrics..")
        .check(CLASSES);
  }
}
