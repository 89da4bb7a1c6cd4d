package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.runtime.plugin.Plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the effective configuration: {@code --set} overrides, then the user's file, then the
 * {@code reference.conf} of the probe and of every plugin. Strict: a key under {@code probe} that no
 * {@code reference.conf} declares is an error, with a suggestion when a known key is close. Called once
 * on the main thread.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * One {@code path=value} override and where it came from, for messages.
     *
     * @param text {@code path=value}; the value is parsed as HOCON, so {@code 5s}, {@code [1,2]} and
     *        quoted strings work, and anything else is taken as a plain string
     * @param origin what the user wrote it with: {@code --set probe.x}, or a shortcut option such as {@code -r}
     */
    public record Assignment(String text, String origin) {
        /** A {@code --set path=value} override. */
        public static Assignment set(final String text) {
            final int eq = text.indexOf('=');
            return new Assignment(text, "--set " + (eq > 0 ? text.substring(0, eq).trim() : text));
        }
    }

    /**
     * The effective configuration, checked for unknown keys.
     *
     * @param file the user's HOCON file, or null
     * @param overrides {@code path=value} strings from {@code --set}; the value is parsed as HOCON, so
     *        {@code 5s}, {@code [1,2]} and quoted strings work
     * @throws ProbeException for an unreadable file, a syntax error or an unknown key, naming the file
     *         and line or the {@code --set}
     */
    public static Config load(final Path file, final List<String> overrides, final Plugins plugins) {
        return resolve(user(file, overrides), plugins);
    }

    /** The user's part alone, unresolved: {@code --set} overrides on top of the file. */
    public static Config user(final Path file, final List<String> overrides) {
        return assigned(file, overrides.stream().map(Assignment::set).toList());
    }

    /**
     * The user's part alone, unresolved: overrides on top of the file; of two overrides of one path the
     * later wins.
     */
    public static Config assigned(final Path file, final List<Assignment> overrides) {
        Config config = ConfigFactory.empty();
        for (int i = overrides.size() - 1; i >= 0; i--) {
            config = config.withFallback(override(overrides.get(i)));
        }
        if (file != null) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new ProbeException("Cannot read configuration file " + file + ": no such readable file (-c)");
            }
            try {
                config = config.withFallback(ConfigFactory.parseFile(file.toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false)));
            } catch (ConfigException e) {
                throw new ProbeException("Configuration file " + file + " is not valid HOCON: " + oneLine(e.getMessage()));
            }
        }
        return config;
    }

    /**
     * The plugins folder: {@code cliDirectory} when given, else {@code probe.plugins.dir} of the user's
     * configuration, else the installation's (see {@link Plugins#defaultDirectory()}).
     */
    public static Path pluginsDirectory(final Config user, final Path cliDirectory) {
        if (cliDirectory != null) {
            if (!Files.isDirectory(cliDirectory)) {
                throw new ProbeException("Plugins folder " + cliDirectory + " is not a folder (--plugins)");
            }
            return cliDirectory;
        }
        final Config withDefault = resolve(user, ConfigFactory.defaultReference(ConfigLoader.class.getClassLoader()));
        final String dir = Settings.string(withDefault, "probe.plugins.dir");
        if (dir.isBlank()) {
            return Plugins.defaultDirectory();
        }
        final Path path = Settings.path(withDefault, "probe.plugins.dir");
        if (!Files.isDirectory(path)) {
            throw Settings.invalid(withDefault, "probe.plugins.dir", "an existing folder, or \"\" for the installation's plugins folder");
        }
        return path;
    }

    /** {@code user} over the reference configuration of {@code plugins}, resolved and checked for unknown keys. */
    public static Config resolve(final Config user, final Plugins plugins) {
        final Config reference = plugins.reference();
        final Config config = resolve(user, reference);
        UnknownKeys.check(user.resolveWith(config), reference, plugins.freeFormPaths());
        return config;
    }

    private static Config resolve(final Config user, final Config reference) {
        try {
            return user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new ProbeException("Configuration cannot be resolved: " + oneLine(e.getMessage()));
        }
    }

    private static Config override(final Assignment assignment) {
        final String text = assignment.text();
        final int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new ProbeException("Invalid --set " + text + ": expected path=value, such as probe.receive.burst-size=64");
        }
        final String path = text.substring(0, eq).trim();
        final String value = text.substring(eq + 1).trim();
        final ConfigOrigin origin = ConfigOriginFactory.newSimple(assignment.origin());
        try {
            ConfigFactory.empty().hasPathOrNull(path); // rejects a path that is not a HOCON path
        } catch (ConfigException e) {
            throw new ProbeException("Invalid " + assignment.origin() + "=" + value + ": " + path
                    + " is not a setting path (" + oneLine(e.getMessage()) + ")");
        }
        try {
            final Config parsed = ConfigFactory.parseString("v = " + value,
                    ConfigParseOptions.defaults().setOriginDescription(assignment.origin()));
            // root().get, unlike getValue, returns HOCON's null as a value: --set x=null unsets x
            return ConfigFactory.empty(assignment.origin()).withValue(path, parsed.root().get("v").withOrigin(origin));
        } catch (ConfigException e) {
            // Not valid HOCON (an unquoted string with odd characters): take it as a plain string.
            try {
                return ConfigFactory.empty(assignment.origin()).withValue(path,
                        ConfigValueFactory.fromAnyRef(value, assignment.origin()));
            } catch (ConfigException bad) {
                throw new ProbeException("Invalid " + assignment.origin() + "=" + value + ": " + oneLine(bad.getMessage()));
            }
        }
    }

    static String oneLine(final String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
