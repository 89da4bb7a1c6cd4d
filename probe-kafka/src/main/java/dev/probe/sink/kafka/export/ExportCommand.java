package dev.probe.sink.kafka.export;

import dev.probe.api.ProbeException;
import dev.probe.runtime.cli.ConfigOptions;
import dev.probe.runtime.cli.ProbeSubcommand;
import dev.probe.sink.kafka.KafkaSinkSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code probe export}: reads the topic the Kafka sink writes back into a pcap file (or standard output
 * for {@code tshark -r -}). Bootstrap servers, topic and security settings come from the sink's
 * configuration unless given as options. Main thread.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Read the Kafka topic back into a pcap file, or standard output (pipe into tshark -r -).")
public final class ExportCommand extends ProbeSubcommand.Base {
    @Mixin
    ConfigOptions config;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic (default: probe.sink.kafka.topic)")
    String topic;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Brokers (default: probe.sink.kafka.producer.bootstrap.servers)")
    String bootstrapServers;

    @Option(names = "--from", paramLabel = "WHERE", defaultValue = "beginning",
            description = "beginning or end (default: ${DEFAULT-VALUE})")
    String from;

    @Option(names = "--max-packets", paramLabel = "N", defaultValue = "0", description = "Stop after N packets (default: no limit)")
    long maxPackets;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "10s",
            description = "Stop when nothing arrived for D (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
            description = "Output file, or - for standard output (default: ${DEFAULT-VALUE})")
    String output;

    @Override
    public Integer call() {
        final KafkaSinkSettings sink = KafkaSinkSettings.from(config.load(err).config());
        final ExportOptions.From start;
        try {
            start = ExportOptions.From.of(from);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Invalid value " + from + " for --from: expected beginning or end");
        }
        if (maxPackets < 0) {
            throw new ProbeException("Invalid value " + maxPackets + " for --max-packets: expected an integer of at least 0");
        }
        final Duration idle;
        try {
            idle = com.typesafe.config.ConfigFactory.parseString("d = " + timeout).getDuration("d");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + timeout + " for --timeout: expected a duration such as 30s, 500ms or 2m");
        }
        final Map<String, String> consumer = new LinkedHashMap<>();
        sink.producer().forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
                consumer.put(key, value);
            }
        });
        final ExportOptions options = ExportOptions.of(bootstrapServers != null ? bootstrapServers : sink.bootstrapServers(),
                        topic != null ? topic : sink.topic())
                .withFrom(start)
                .withMaxPackets(maxPackets)
                .withIdleTimeout(idle)
                .withOutput(output)
                .withConsumer(consumer);
        final ExportResult result = output.equals("-")
                ? TopicExporter.export(options, out)
                : TopicExporter.export(options);
        err.println("probe: exported " + result.packetsWritten() + " packets from topic " + options.topic()
                + (output.equals("-") ? " to standard output" : " to " + output)
                + (result.skipped() > 0 ? " (" + result.skipped() + " records without an 8-byte key or a value skipped)" : ""));
        return 0;
    }
}
