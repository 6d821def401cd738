package io.sparkadvisor.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkadvisor.config.RuleOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules and their pages stay tied: a page for every rule, a rule for every page, every key named. */
class RuleDocsTest {
  private static final Path DOCS = Path.of(System.getProperty("docs.dir", "docs"));
  private static final Pattern RULE_ID = Pattern.compile("[A-Z][A-Za-z0-9]+");

  @Test
  void everyRuleHasAPageNamingEachOfItsOptions() throws IOException {
    for (BuiltInRules.Entry e : BuiltInRules.ALL) {
      String id = e.info().id();
      Path page = DOCS.resolve("rules").resolve(id + ".md");
      assertThat(page).as("page for " + id).exists();
      String text = Files.readString(page);
      assertThat(text).as(page.toString()).startsWith("# " + id);
      RuleOptions options = RuleOptions.defaults(id);
      e.factory().apply(options);
      for (String param : options.declared().keySet()) {
        assertThat(text).as(page + " names its option").contains(options.key(param));
      }
    }
  }

  @Test
  void everyPageHasARule() throws IOException {
    Set<String> ids = new HashSet<>();
    BuiltInRules.ALL.forEach(e -> ids.add(e.info().id()));
    try (Stream<Path> pages = Files.list(DOCS.resolve("rules"))) {
      List<String> names = pages.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md"))
          .map(n -> n.substring(0, n.length() - 3)).toList();
      assertThat(ids).containsAll(names);
    }
  }

  @Test
  void idsAreUniqueUpperCamelAndTheReadmeListsThem() throws IOException {
    Set<String> seen = new HashSet<>();
    String readme = Files.readString(DOCS.resolveSibling("README.md"));
    for (BuiltInRules.Entry e : BuiltInRules.ALL) {
      RuleInfo info = e.info();
      assertThat(info).as(e.type() + " has @RuleInfo").isNotNull();
      assertThat(seen.add(info.id())).as("unique id " + info.id()).isTrue();
      assertThat(RULE_ID.matcher(info.id()).matches()).as(info.id()).isTrue();
      assertThat(e.type().getSimpleName()).isEqualTo(info.id());
      assertThat(readme).as("README lists " + info.id()).contains("[`" + info.id() + "`](docs/rules/" + info.id() + ".md)");
    }
  }
}
