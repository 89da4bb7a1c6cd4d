package dev.probe.runtime.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@link SettingsOptions} with the configuration file as {@code --config FILE} only, for subcommands
 * whose {@code -c} means what it means to tcpdump and kcat users: a packet count ({@code probe export}).
 * Main thread.
 */
public final class LongConfigOptions extends SettingsOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON configuration file; defaults come from every module's reference.conf")
    Path file;

    @Override
    protected Path configFile() {
        return file;
    }
}
