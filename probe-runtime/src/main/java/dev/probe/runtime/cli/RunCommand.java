package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;
import dev.probe.runtime.ProbeRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code probe run}: captures and sends to the sink until stopped. Main thread. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Capture and send to the sink until the input ends, a stop condition is met, or a signal.",
                "SIGINT, SIGTERM and SIGHUP stop cleanly within probe.shutdown.timeout; a second one exits at once."})
final class RunCommand extends ProbeSubcommand.Base {
    @Mixin
    ConfigOptions config;

    @Option(names = {"-i", "--interface"}, paramLabel = "IFACE", description = "Capture live from IFACE through libpcap (probe.source.pcap.interface)")
    String iface;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE", description = "Read a pcap or pcapng file (probe.source.pcap.file)")
    String file;

    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "BPF filter for the pcap source (probe.source.pcap.filter)")
    String filter;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (probe.sink.kafka.producer.bootstrap.servers)")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Kafka topic (probe.sink.kafka.topic)")
    String topic;

    @Option(names = "--max-packets", paramLabel = "N", description = "Stop after N packets are captured (probe.stop.max-packets)")
    Long maxPackets;

    @Option(names = "--duration", paramLabel = "D", description = "Stop D after capture starts, such as 30s or 5m (probe.stop.duration)")
    String duration;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write the final counters as JSON to FILE (mode 0600), however the run ends")
    Path summary;

    @Override
    public Integer call() throws InterruptedException {
        final List<String> shortcuts = new ArrayList<>();
        if (iface != null && file != null) {
            throw new ProbeException("Options -i and -r of probe run exclude each other: capture from an interface or read a file");
        }
        if (iface != null) {
            shortcuts.add("probe.source.type=pcap");
            shortcuts.add(ConfigOptions.assign("probe.source.pcap.interface", iface));
            shortcuts.add("probe.source.pcap.file=\"\"");
        }
        if (file != null) {
            shortcuts.add("probe.source.type=pcap");
            shortcuts.add(ConfigOptions.assign("probe.source.pcap.file", file));
            shortcuts.add("probe.source.pcap.interface=\"\"");
        }
        if (filter != null) {
            shortcuts.add(ConfigOptions.assign("probe.source.pcap.filter", filter));
        }
        if (bootstrapServers != null) {
            shortcuts.add(ConfigOptions.assign("probe.sink.kafka.producer.bootstrap.servers", bootstrapServers));
        }
        if (topic != null) {
            shortcuts.add(ConfigOptions.assign("probe.sink.kafka.topic", topic));
        }
        if (maxPackets != null) {
            if (maxPackets < 1) {
                throw new ProbeException("Invalid value " + maxPackets + " for --max-packets: expected an integer of at least 1");
            }
            shortcuts.add("probe.stop.max-packets=" + maxPackets);
        }
        if (duration != null) {
            shortcuts.add("probe.stop.duration=" + durationMillis(duration) + "ms");
        }
        if (summary != null) {
            final Path parent = summary.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new ProbeException("Cannot write summary file " + summary + ": folder " + parent + " does not exist (--summary)");
            }
        }
        final ConfigOptions.Loaded loaded = config.load(shortcuts, err);
        final ProbeRun run = new ProbeRun(loaded.config(), loaded.plugins(), summary, err);
        final SignalStop signals = SignalStop.install(run, err);
        try {
            final ProbeRun.Result result = run.execute();
            if (result.error() != null) {
                err.println("probe: " + result.error());
            }
            return result.exitCode();
        } finally {
            signals.uninstall();
        }
    }

    private static long durationMillis(final String value) {
        final Duration d;
        try {
            d = com.typesafe.config.ConfigFactory.parseString("d = " + value).getDuration("d");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + value + " for --duration: expected a duration such as 30s, 500ms or 2m");
        }
        if (d.isNegative() || d.isZero()) {
            throw new ProbeException("Invalid value " + value + " for --duration: expected a duration above 0, such as 30s");
        }
        return d.toMillis();
    }
}
