package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.probe.api.ProbeException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the effective configuration: {@code --set} overrides, then the user's file, then every
 * module's {@code reference.conf}. Called once on the main thread.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * @param file the user's HOCON file, or null
     * @param overrides {@code path=value} strings from {@code --set}; the value is parsed as HOCON, so
     *        {@code 5s}, {@code [1,2]} and quoted strings work
     * @throws ProbeException for an unreadable file or a syntax error, naming the file and line
     */
    public static Config load(final Path file, final List<String> overrides) {
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
                throw new ProbeException("Configuration file " + file + " is not valid HOCON: " + e.getMessage());
            }
        }
        try {
            return config.withFallback(ConfigFactory.defaultReference()).resolve();
        } catch (ConfigException e) {
            throw new ProbeException("Configuration cannot be resolved: " + e.getMessage());
        }
    }

    private static Config override(final String assignment) {
        final int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ProbeException("Invalid --set " + assignment + ": expected path=value, such as probe.receive.burst-size=64");
        }
        final String path = assignment.substring(0, eq).trim();
        final String value = assignment.substring(eq + 1).trim();
        final String origin = "--set " + path;
        try {
            final Config parsed = ConfigFactory.parseString("v = " + value,
                    ConfigParseOptions.defaults().setOriginDescription(origin));
            return ConfigFactory.empty(origin).withValue(path, parsed.getValue("v"));
        } catch (ConfigException e) {
            // Not valid HOCON (an unquoted string with odd characters): take it as a plain string.
            try {
                return ConfigFactory.empty(origin).withValue(path, ConfigValueFactory.fromAnyRef(value, origin));
            } catch (ConfigException bad) {
                throw new ProbeException("Invalid --set " + assignment + ": " + bad.getMessage());
            }
        }
    }
}
