package dev.probe.runtime.cli;

import com.typesafe.config.Config;
import dev.probe.runtime.config.Redaction;
import dev.probe.runtime.config.RuntimeSettings;
import dev.probe.runtime.metrics.MetricsSettings;
import dev.probe.runtime.stats.StatsFormat;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code probe check}: prints the effective configuration, one setting a line with where it came from
 * and secrets redacted, and the sources and sinks found; then validates everything {@code run} would,
 * plus every source and sink section the user wrote, selected or not. With {@code --connect} it also
 * reaches the sink's destination. Main thread.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Print the effective configuration (secrets redacted) and the plugins found, then validate it as run would, "
                + "including every source and sink section written, selected or not: the capture file exists and is readable, "
                + "the interface exists, the BPF filter compiles.",
                "Takes the same settings and shortcuts as run. Exit status 0 when valid, 2 naming the first problem."})
final class CheckCommand extends ProbeSubcommand.Base {
    @Mixin
    ConfigOptions config;

    @Mixin
    CaptureShortcuts shortcuts;

    @Option(names = "--connect", description = "Also reach the sink's destination and report what it found "
            + "(Kafka: brokers, the topic's partitions, retention and timestamp type)")
    boolean connect;

    @Override
    public Integer call() {
        final SettingsOptions.Loaded loaded = config.load(shortcuts.settings("check"), err);
        final Config c = loaded.config();
        final Plugins plugins = loaded.plugins();
        out.print(Redaction.render(c));
        out.println("# plugins folder: " + (plugins.directory() == null ? "(none)" : plugins.directory()));
        plugins.sources().forEach(f -> out.println("# source " + f.name() + ": " + f.origin()));
        plugins.sinks().forEach(f -> out.println("# sink " + f.name() + ": " + f.origin()));
        plugins.broken().forEach(b -> out.println("# broken " + b.message()));
        out.flush();

        RuntimeSettings.from(c);
        MetricsSettings.from(c);
        StatsFormat.from(c);
        final Plugins.Found<CaptureSourceProvider> source = plugins.source(c);
        Plugins.validate(source, c);
        final Plugins.Found<SinkProvider> sink = plugins.sink(c);
        final SinkFactory factory = Plugins.configure(sink, c);
        for (final Plugins.Found<CaptureSourceProvider> other : plugins.sources()) {
            if (other != source && loaded.user().hasPath("probe.source." + other.name())) {
                Plugins.validate(other, c);
            }
        }
        for (final Plugins.Found<SinkProvider> other : plugins.sinks()) {
            if (other != sink && loaded.user().hasPath("probe.sink." + other.name())) {
                Plugins.configure(other, c);
            }
        }
        if (connect) {
            out.println("# destination: " + factory.description());
            factory.checkDestination().forEach(line -> out.println("#   " + line));
        }
        out.println("# configuration is valid");
        return 0;
    }
}
