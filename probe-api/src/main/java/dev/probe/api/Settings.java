package dev.probe.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates single settings from a loaded configuration, failing with a {@link ProbeException}
 * whose one line names the path, what was expected, the value given and where it came from:
 * {@code Invalid value 0 for probe.receive.burst-size: expected an integer from 1 to 1024 (app.conf: 3)}.
 * Values of secret settings (passwords, keys, JAAS configuration) are never shown.
 *
 * <p>Defaults live in each module's {@code reference.conf}, never here: every path read must exist
 * there. Called once, at start-up, by whichever thread builds the settings objects.
 */
public final class Settings {
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|passwd|secret|jaas|credential|token|user\\.info|private|ssl\\.key\\.).*");
    private static final String REDACTED = "<redacted>";
    /** A whole number of bytes, optionally with a unit: {@code 65536}, {@code 64MiB}, {@code 512 k}. */
    private static final Pattern WHOLE_SIZE = Pattern.compile("[0-9]+\\s*[a-zA-Z]*");

    private Settings() {
    }

    /** An integer in {@code [min, max]}; a fraction such as {@code 1.5} is an error, not 1. */
    public static int intInRange(final Config config, final String path, final int min, final int max) {
        return (int) integer(config, path, min, max);
    }

    /** A power of two in {@code [min, max]}. */
    public static int powerOfTwo(final Config config, final String path, final int min, final int max) {
        final int value = intInRange(config, path, min, max);
        if (Integer.bitCount(value) != 1) {
            throw invalid(config, path, "a power of two from " + min + " to " + max);
        }
        return value;
    }

    /** An integer in {@code [min, max]}; a fraction is an error. */
    public static long longInRange(final Config config, final String path, final long min, final long max) {
        return integer(config, path, min, max);
    }

    private static long integer(final Config config, final String path, final long min, final long max) {
        final String expected = "an integer from " + min + " to " + max;
        final long value = wholeNumber(config, path, expected);
        if (value < min || value > max) {
            throw invalid(config, path, expected);
        }
        return value;
    }

    private static long wholeNumber(final Config config, final String path, final String expected) {
        final ConfigValue value = value(config, path, expected);
        final Object raw = value.unwrapped();
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw invalid(config, path, expected);
            }
        }
        throw invalid(config, path, expected);
    }

    /** A size in bytes such as {@code 64 MiB}, {@code 512k} or {@code 65536}, in {@code [min, max]}. */
    public static long bytes(final Config config, final String path, final long min, final long max) {
        final String expected = "a size such as 64MiB, 512KiB or 65536 (bytes) from " + min + " to " + max + " bytes";
        final ConfigValue raw = value(config, path, expected);
        if (raw.unwrapped() instanceof Double
                || raw.unwrapped() instanceof String text && !WHOLE_SIZE.matcher(text.strip()).matches()) {
            throw invalid(config, path, expected);
        }
        final long value;
        try {
            value = config.getBytes(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(config, path, expected);
        }
        if (value == Long.MAX_VALUE && !String.valueOf(Long.MAX_VALUE).equals(String.valueOf(raw.unwrapped()).strip())) {
            throw invalid(config, path, expected); // Typesafe Config saturates a size too large for a long
        }
        if (value < min || value > max) {
            throw invalid(config, path, expected);
        }
        return value;
    }

    /** A duration such as {@code 5s} or {@code 250ms}, at least {@code min}. */
    public static Duration duration(final Config config, final String path, final Duration min) {
        return duration(config, path, min, null);
    }

    /** A duration such as {@code 5s} or {@code 250ms} in {@code [min, max]}; {@code max} null for no upper bound. */
    public static Duration duration(final Config config, final String path, final Duration min, final Duration max) {
        final String expected = "a duration such as 5s or 250ms, from " + human(min)
                + (max == null ? "" : " to " + human(max));
        value(config, path, expected);
        final Duration value;
        try {
            value = config.getDuration(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw invalid(config, path, expected);
        }
        if (value.compareTo(min) < 0 || max != null && value.compareTo(max) > 0) {
            throw invalid(config, path, expected);
        }
        return value;
    }

    private static String human(final Duration d) {
        if (d.isZero()) {
            return "0";
        }
        final long ms = d.toMillis();
        if (ms == 0) {
            return d.toNanos() + "ns";
        }
        return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }

    /** A boolean. */
    public static boolean bool(final Config config, final String path) {
        value(config, path, "true or false");
        try {
            return config.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "true or false");
        }
    }

    /** A string, possibly empty. */
    public static String string(final Config config, final String path) {
        final ConfigValue value = value(config, path, "a string");
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            throw invalid(config, path, "a string");
        }
        return config.getString(path);
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

    /**
     * A constant of {@code type}, written in lower case with hyphens for underscores: {@code busy-spin}
     * for {@code BUSY_SPIN}.
     */
    public static <E extends Enum<E>> E enumValue(final Config config, final String path, final Class<E> type) {
        final List<String> names = new ArrayList<>();
        for (final E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        final String value = string(config, path);
        final int index = names.indexOf(value);
        if (index < 0) {
            throw invalid(config, path, "one of " + String.join(", ", names));
        }
        return type.getEnumConstants()[index];
    }

    /** A non-empty file system path; relative paths stay relative to the working folder. */
    public static Path path(final Config config, final String path) {
        final String value = nonEmptyString(config, path);
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(config, path, "a file system path (" + e.getReason() + ")");
        }
    }

    /** A path to an existing, readable regular file. */
    public static Path readableFile(final Config config, final String path) {
        final Path file = path(config, path);
        if (!Files.isRegularFile(file)) {
            throw invalid(config, path, "an existing file (" + file.toAbsolutePath() + " does not exist or is not a file)");
        }
        if (!Files.isReadable(file)) {
            throw invalid(config, path, "a file this user can read (" + file.toAbsolutePath() + " is not readable)");
        }
        return file;
    }

    /** A list of strings. */
    public static List<String> stringList(final Config config, final String path) {
        value(config, path, "a list of strings");
        try {
            return List.copyOf(config.getStringList(path));
        } catch (ConfigException.WrongType e) {
            throw invalid(config, path, "a list of strings");
        }
    }

    /** A list of integers, each in {@code [min, max]}; fractions are errors. */
    public static List<Integer> intList(final Config config, final String path, final int min, final int max) {
        final String expected = "a list of integers from " + min + " to " + max;
        final ConfigValue value = value(config, path, expected);
        if (value.valueType() != ConfigValueType.LIST) {
            throw invalid(config, path, expected);
        }
        final List<Integer> result = new ArrayList<>();
        for (final Object item : (List<?>) value.unwrapped()) {
            if (!(item instanceof Integer || item instanceof Long)) {
                throw invalid(config, path, expected);
            }
            final long v = ((Number) item).longValue();
            if (v < min || v > max) {
                throw invalid(config, path, expected);
            }
            result.add((int) v);
        }
        return List.copyOf(result);
    }

    private static ConfigValue value(final Config config, final String path, final String expected) {
        try {
            if (!config.hasPathOrNull(path) || config.getIsNull(path)) {
                throw invalid(config, path, expected);
            }
            return config.getValue(path);
        } catch (ConfigException.WrongType e) {
            // a parent of the path is not an object, such as probe.receive = 5
            throw invalid(config, path, expected);
        }
    }

    /** Whether a setting's path names a secret (a password, a key, JAAS configuration, a token). */
    public static boolean isSecret(final String path) {
        return SECRET.matcher(path).matches();
    }

    /** The value at {@code path} as written in HOCON, or {@code <redacted>} for a secret, or {@code (missing)}. */
    public static String render(final Config config, final String path) {
        final ConfigValue value = valueOrNull(config, path);
        if (value == null) {
            return "(missing)";
        }
        return isSecret(path) ? REDACTED : render(path, value);
    }

    /** The value at {@code path}, an explicit {@code null} included (as a value of type NULL), or null when absent. */
    private static ConfigValue valueOrNull(final Config config, final String path) {
        try {
            ConfigValue value = config.root();
            for (final String key : ConfigUtil.splitPath(path)) {
                if (!(value instanceof com.typesafe.config.ConfigObject object) || !object.containsKey(key)) {
                    return null;
                }
                value = object.get(key);
            }
            return value;
        } catch (ConfigException e) {
            return null;
        }
    }

    private static String render(final String path, final ConfigValue value) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            final StringBuilder out = new StringBuilder("{");
            final com.typesafe.config.ConfigObject object = (com.typesafe.config.ConfigObject) value;
            for (final String key : object.keySet()) {
                final String child = path + "." + key;
                out.append(out.length() > 1 ? "," : "").append(key).append(':')
                        .append(isSecret(child) ? REDACTED : render(child, object.get(key)));
            }
            return out.append('}').toString();
        }
        return value.render(ConfigRenderOptions.concise());
    }

    /**
     * The error for a setting whose value is not what was expected:
     * {@code Invalid value 0 for probe.receive.burst-size: expected an integer from 1 to 1024 (app.conf: 3)}.
     */
    public static ProbeException invalid(final Config config, final String path, final String expected) {
        return new ProbeException("Invalid value " + render(config, path) + " for " + path + ": expected " + expected
                + origin(config, path));
    }

    /** {@code " (file.conf: 12)"} for where a setting was given, or an empty string when unknown. */
    public static String origin(final Config config, final String path) {
        final ConfigValue value = valueOrNull(config, path);
        if (value == null) {
            return "";
        }
        final String where = where(value.origin());
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
