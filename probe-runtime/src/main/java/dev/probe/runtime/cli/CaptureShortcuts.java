package dev.probe.runtime.cli;

import dev.probe.api.ProbeException;
import dev.probe.runtime.config.ConfigLoader;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The tcpdump and kcat shortcuts of {@code run} and {@code check}: {@code -i IFACE}, {@code -r FILE},
 * {@code -f FILTER}, {@code -b HOST:PORT} and {@code --topic TOPIC}. Each one is a setting written
 * shorter; it wins over the configuration file and {@code --set}. A picocli mixin; main thread.
 */
public final class CaptureShortcuts {
    @Option(names = {"-i", "--interface"}, paramLabel = "IFACE",
            description = "Capture live from IFACE through libpcap (probe.source.type = pcap, probe.source.pcap.interface)")
    String iface;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE",
            description = "Read a pcap or pcapng file (probe.source.type = pcap, probe.source.pcap.file)")
    String file;

    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER",
            description = "BPF filter in tcpdump syntax for the pcap source (probe.source.pcap.filter)")
    String filter;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (probe.sink.kafka.producer.bootstrap.servers)")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Kafka topic (probe.sink.kafka.topic)")
    String topic;

    /**
     * The settings these options stand for, as {@code path=value} overrides.
     *
     * @param command the subcommand's name, for the message when -i and -r are both given
     * @throws ProbeException when both {@code -i} and {@code -r} are given
     */
    public List<ConfigLoader.Assignment> settings(final String command) {
        final List<ConfigLoader.Assignment> shortcuts = new ArrayList<>();
        if (iface != null && file != null) {
            throw new ProbeException("Options -i and -r of probe " + command
                    + " exclude each other: capture from an interface or read a file");
        }
        if (iface != null) {
            shortcuts.add(SettingsOptions.assign("-i", "probe.source.type", "pcap"));
            shortcuts.add(SettingsOptions.assign("-i", "probe.source.pcap.interface", iface));
            shortcuts.add(SettingsOptions.assign("-i", "probe.source.pcap.file", ""));
        }
        if (file != null) {
            shortcuts.add(SettingsOptions.assign("-r", "probe.source.type", "pcap"));
            shortcuts.add(SettingsOptions.assign("-r", "probe.source.pcap.file", file));
            shortcuts.add(SettingsOptions.assign("-r", "probe.source.pcap.interface", ""));
        }
        if (filter != null) {
            shortcuts.add(SettingsOptions.assign("-f", "probe.source.pcap.filter", filter));
        }
        if (bootstrapServers != null) {
            shortcuts.add(SettingsOptions.assign("-b", "probe.sink.kafka.producer.bootstrap.servers", bootstrapServers));
        }
        if (topic != null) {
            shortcuts.add(SettingsOptions.assign("--topic", "probe.sink.kafka.topic", topic));
        }
        return shortcuts;
    }
}
