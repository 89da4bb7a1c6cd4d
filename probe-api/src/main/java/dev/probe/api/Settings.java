package dev.probe.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Reads and validates single settings from a loaded configuration, failing with a {@link ProbeException}
 * whose one line names the path, what was expected, the value given and where it came from.
 *
 * <p>Defaults live in each module's {@code reference.conf}, never here: every path read must exist
 * there. Called once, at start-up, by whichever thread builds the settings objects.
 */
public final class Settings {
    private Settings() {
    }

    /** An int in {@code [min, max]}. */
    public static int intInRange(final Config config, final String path, final int min, final int max) {
        final int value;
        try {
            value = config.getInt(path);
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "an integer from " + min + " to " + max);
        }
        if (value < min || value > max) {
            throw invalid(config, path, "an integer from " + min + " to " + max);
        }
        return value;
    }

    /** A power of two in {@code [min, max]}. */
    public static int powerOfTwo(final Config config, final String path, final int min, final int max) {
        final int value = intInRange(config, path, min, max);
        if (Integer.bitCount(value) != 1) {
            throw invalid(config, path, "a power of two from " + min + " to " + max);
        }
        return value;
    }

    /** A long in {@code [min, max]}. */
    public static long longInRange(final Config config, final String path, final long min, final long max) {
        final long value;
        try {
            value = config.getLong(path);
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "an integer from " + min + " to " + max);
        }
        if (value < min || value > max) {
            throw invalid(config, path, "an integer from " + min + " to " + max);
        }
        return value;
    }

    /** A duration such as {@code 5s} or {@code 250ms}, at least {@code min}. */
    public static Duration duration(final Config config, final String path, final Duration min) {
        final Duration value;
        try {
            value = config.getDuration(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(config, path, "a duration such as 5s or 250ms, at least " + min.toMillis() + "ms");
        }
        if (value.compareTo(min) < 0) {
            throw invalid(config, path, "a duration of at least " + min.toMillis() + "ms");
        }
        return value;
    }

    /** A boolean. */
    public static boolean bool(final Config config, final String path) {
        try {
            return config.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "true or false");
        }
    }

    /** A string, possibly empty. */
    public static String string(final Config config, final String path) {
        try {
            return config.getString(path);
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "a string");
        }
    }

    /** A non-empty string. */
    public static String nonEmptyString(final Config config, final String path) {
        final String value = string(config, path);
        if (value.isBlank()) {
            throw invalid(config, path, "a non-empty string");
        }
        return value;
    }

    /** One of {@code allowed}. */
    public static String oneOf(final Config config, final String path, final Set<String> allowed) {
        final String value = string(config, path);
        if (!allowed.contains(value)) {
            throw invalid(config, path, "one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
        return value;
    }

    /** A list of strings. */
    public static List<String> stringList(final Config config, final String path) {
        try {
            return List.copyOf(config.getStringList(path));
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "a list of strings");
        }
    }

    /** A list of ints, each in {@code [min, max]}. */
    public static List<Integer> intList(final Config config, final String path, final int min, final int max) {
        final List<Integer> values;
        try {
            values = List.copyOf(config.getIntList(path));
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "a list of integers from " + min + " to " + max);
        }
        for (final int v : values) {
            if (v < min || v > max) {
                throw invalid(config, path, "a list of integers from " + min + " to " + max);
            }
        }
        return values;
    }

    /**
     * The error for a setting whose value is not what was expected:
     * {@code Invalid value 0 for probe.receive.burst-size: expected an integer from 1 to 1024 (app.conf: 3)}.
     */
    public static ProbeException invalid(final Config config, final String path, final String expected) {
        final String given = config.hasPathOrNull(path) && !config.getIsNull(path)
                ? config.getValue(path).render(com.typesafe.config.ConfigRenderOptions.concise())
                : "(missing)";
        return new ProbeException("Invalid value " + given + " for " + path + ": expected " + expected
                + origin(config, path));
    }

    /** {@code " (file.conf: 12)"} for where a setting was given, or an empty string when unknown. */
    public static String origin(final Config config, final String path) {
        if (!config.hasPathOrNull(path)) {
            return "";
        }
        final String where = where(config.getValue(path).origin());
        return where.isEmpty() ? "" : " (" + where + ")";
    }

    /** Where a value came from, short: {@code /etc/probe.conf: 12}, {@code reference.conf: 40}, {@code --set x}. */
    public static String where(final ConfigOrigin origin) {
        final String line = origin.lineNumber() > 0 ? ": " + origin.lineNumber() : "";
        if (origin.filename() != null) {
            return origin.filename() + line;
        }
        if (origin.resource() != null) {
            return origin.resource() + line;
        }
        final String description = origin.description();
        return description == null ? "" : description;
    }
}
