package io.sparkadvisor.findings;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every finding as one JSON object per line ({@code spark.advisor.findings.path}), flushed as it
 * is written so that a tail or a log shipper sees it at once. An I/O failure gets one WARN and
 * switches this output off; the job and the other outputs go on.
 */
public final class JsonLinesSink implements FindingSink {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesSink.class);

  private final Path path;
  private Writer out;

  public JsonLinesSink(Path path) {
    this.path = path;
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void emit(Finding f) {
    if (out == null) {
      return;
    }
    Map<String, Object> scope = new LinkedHashMap<>();
    Scope s = f.scope();
    scope.put("kind", s.kind().name().toLowerCase(java.util.Locale.ROOT));
    if (s.kind() == Scope.Kind.STAGE) {
      scope.put("stageId", s.stageId());
      scope.put("attempt", s.attempt());
      scope.put("callSite", s.callSite());
    }
    if (s.kind() == Scope.Kind.STREAM) {
      scope.put("queryId", s.callSite()); // a stream's scope keeps its query id where a stage keeps its call site
    }
    if (s.executionId() >= 0) {
      scope.put("executionId", s.executionId());
    }
    if (s.jobGroup() != null) {
      scope.put("jobGroup", s.jobGroup());
    }
    if (s.description() != null) {
      scope.put("description", s.description());
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("time", System.currentTimeMillis());
    o.put("rule", f.ruleId());
    o.put("severity", f.severity().name());
    o.put("scope", scope);
    o.put("message", f.message());
    o.put("evidence", f.evidence());
    o.put("costMs", f.costMillis());
    o.put("cost", f.costText());
    o.put("fix", f.fix());
    o.put("docs", f.docsPage());
    try {
      out.write(Json.object(o));
      out.write('\n');
      out.flush();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void fail(Exception e) {
    LOG.warn("spark-advisor: cannot write findings to {} ({}); the JSON-lines output is off, "
        + "findings still go to the log", path, e.toString());
    closeQuietly();
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // already failing or closing; the WARN, if any, was given
      }
      out = null;
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
