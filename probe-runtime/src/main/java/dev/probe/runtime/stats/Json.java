package dev.probe.runtime.stats;

import java.util.Locale;
import java.util.Map;

/** The little JSON the stats lines and the summary need: escaped strings, count maps, plain numbers. */
final class Json {
    private Json() {
    }

    /** {@code s} as a JSON string, quoted and escaped. */
    static String string(final String s) {
        final StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** {@code {"a": 1, "b": 2}} */
    static String counts(final Map<String, Long> counts) {
        final StringBuilder b = new StringBuilder("{");
        counts.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(string(k)).append(": ").append(v));
        return b.append('}').toString();
    }

    /** {@code {"a": "x"}} */
    static String strings(final Map<String, String> values) {
        final StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(string(k)).append(": ").append(string(v)));
        return b.append('}').toString();
    }

    /** A finite double with at most one decimal, such as {@code 135012.4}. */
    static String decimal(final double value) {
        return String.format(Locale.ROOT, "%.1f", Double.isFinite(value) ? value : 0);
    }
}
