package io.sparkadvisor.findings;

import java.util.Map;

/** A minimal JSON writer for the findings file: objects of strings, numbers, booleans and maps. */
final class Json {
  private Json() {}

  static String object(Map<String, ?> fields) {
    StringBuilder b = new StringBuilder(256);
    writeObject(b, fields);
    return b.toString();
  }

  private static void writeObject(StringBuilder b, Map<String, ?> fields) {
    b.append('{');
    boolean first = true;
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      writeString(b, e.getKey());
      b.append(':');
      writeValue(b, e.getValue());
    }
    b.append('}');
  }

  private static void writeValue(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Double d) {
      b.append(Double.isFinite(d) ? Double.toString(d) : "null");
    } else if (v instanceof Float f) {
      b.append(Float.isFinite(f) ? Float.toString(f) : "null");
    } else if (v instanceof Number) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) m;
      writeObject(b, typed);
    } else if (v instanceof Iterable<?> items) {
      b.append('[');
      boolean first = true;
      for (Object item : items) {
        b.append(first ? "" : ",");
        writeValue(b, item);
        first = false;
      }
      b.append(']');
    } else {
      writeString(b, v.toString());
    }
  }

  private static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
