package dev.probe.runtime.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@link SettingsOptions} with the configuration file as {@code -c FILE} or {@code --config FILE}: the
 * mixin of {@code run}, {@code check} and most subcommands. Main thread.
 */
public final class ConfigOptions extends SettingsOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON configuration file; defaults come from every module's reference.conf")
    Path file;

    @Override
    protected Path configFile() {
        return file;
    }
}
