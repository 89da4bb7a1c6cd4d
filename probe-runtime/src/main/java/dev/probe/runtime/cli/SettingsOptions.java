package dev.probe.runtime.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every subcommand that reads the configuration shares: repeated {@code --set path=value}
 * and {@code --plugins DIR}, and a configuration file whose option names the subclass declares
 * ({@link ConfigOptions}: {@code -c FILE} or {@code --config FILE}; {@link LongConfigOptions}:
 * {@code --config FILE} only). A picocli mixin; used on the main thread.
 */
public abstract class SettingsOptions {
    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override one setting, value parsed as HOCON (repeatable; a later one wins), "
                    + "e.g. --set probe.receive.burst-size=64")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Plugins folder (default: probe.plugins.dir, else the installation's plugins/)")
    Path plugins;

    /** The configuration file given on the command line, or null. */
    protected abstract Path configFile();

    /**
     * The loaded configuration.
     *
     * @param config the effective configuration, checked for unknown keys
     * @param user the user's own settings (file and overrides), unresolved
     * @param plugins the sources and sinks found
     */
    public record Loaded(Config config, Config user, Plugins plugins) {
        /**
         * One warning line per plugin that could not be loaded: for a command that found everything it
         * needs, so that a broken plugin it does not use never stops it. A command that needs what a
         * broken plugin would have provided fails instead, with one line naming the plugin.
         */
        public void warnAboutBrokenPlugins(final PrintStream err) {
            plugins.broken().forEach(b -> err.println("probe: warning: " + b.message()));
        }
    }

    /**
     * Loads the plugins and the configuration. Plugins that could not be loaded are kept in
     * {@link Loaded#plugins()}; see {@link Loaded#warnAboutBrokenPlugins}.
     *
     * @param shortcuts further {@code path=value} overrides from a command's own options; they win over
     *        {@code --set}
     * @throws dev.probe.api.ProbeException for an unreadable file, a syntax error or an unknown key
     */
    public Loaded load(final List<ConfigLoader.Assignment> shortcuts, final PrintStream err) {
        final List<ConfigLoader.Assignment> all = new ArrayList<>();
        overrides.forEach(o -> all.add(ConfigLoader.Assignment.set(o)));
        all.addAll(shortcuts);
        final Config user = ConfigLoader.assigned(configFile(), all);
        final Plugins found = Plugins.load(ConfigLoader.pluginsDirectory(user, plugins));
        return new Loaded(ConfigLoader.resolve(user, found), user, found);
    }

    /** Loads with no shortcuts. */
    public Loaded load(final PrintStream err) {
        return load(List.of(), err);
    }

    /**
     * The setting {@code path} given the string {@code value} (quoted as a HOCON string) by the option
     * {@code option}, such as {@code -r}.
     */
    public static ConfigLoader.Assignment assign(final String option, final String path, final String value) {
        return new ConfigLoader.Assignment(path + "=" + ConfigUtil.quoteString(value), option);
    }

    /** The setting {@code path} given the HOCON {@code value}, such as {@code 5000ms}, by the option {@code option}. */
    public static ConfigLoader.Assignment assignHocon(final String option, final String path, final String value) {
        return new ConfigLoader.Assignment(path + "=" + value, option);
    }
}
