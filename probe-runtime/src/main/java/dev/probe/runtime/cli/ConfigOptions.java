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
 * The options every subcommand that reads the configuration shares: {@code -c FILE}, repeated
 * {@code --set path=value} and {@code --plugins DIR}. A picocli mixin; used on the main thread.
 */
public final class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON configuration file; defaults come from every module's reference.conf")
    Path file;

    @Option(names = "--set", paramLabel = "PATH=VALUE",
            description = "Override one setting, value parsed as HOCON (repeatable; a later one wins), "
                    + "e.g. --set probe.receive.burst-size=64")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Plugins folder (default: probe.plugins.dir, else the installation's plugins/)")
    Path plugins;

    /**
     * The loaded configuration.
     *
     * @param config the effective configuration, checked for unknown keys
     * @param user the user's own settings (file and overrides), unresolved
     * @param plugins the sources and sinks found
     */
    public record Loaded(Config config, Config user, Plugins plugins) {
    }

    /**
     * Loads the plugins and the configuration; warns on {@code err} about plugins that could not be
     * loaded (they stop a run only when it needs what they would have provided).
     *
     * @param shortcuts further {@code path=value} overrides from a command's own options; they win over
     *        {@code --set}
     */
    public Loaded load(final List<String> shortcuts, final PrintStream err) {
        final List<String> all = new ArrayList<>(overrides);
        all.addAll(shortcuts);
        final Config user = ConfigLoader.user(file, all);
        final Plugins found = Plugins.load(ConfigLoader.pluginsDirectory(user, plugins));
        found.broken().forEach(b -> err.println("probe: warning: " + b.message()));
        return new Loaded(ConfigLoader.resolve(user, found), user, found);
    }

    /** Loads with no shortcuts. */
    public Loaded load(final PrintStream err) {
        return load(List.of(), err);
    }

    /** {@code path=value} with {@code value} quoted as a HOCON string, for shortcut options. */
    public static String assign(final String path, final String value) {
        return path + "=" + ConfigUtil.quoteString(value);
    }
}
