package dev.probe.runtime.cli;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.sink.kafka.KafkaSinkSettings;
import dev.probe.sink.kafka.export.ExportOptions;
import dev.probe.sink.kafka.export.ExportResult;
import dev.probe.sink.kafka.export.TopicExporter;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code probe export}: reads the topic the Kafka sink writes back into a pcap file (or standard output
 * for {@code tshark -r -}). Bootstrap servers, topic and security settings come from the sink's
 * configuration unless given as options.
 */
final class ExportCommand {
    private ExportCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) {
        final Arguments a = Arguments.parse("export", args, Set.of("--topic", "--bootstrap-servers", "--from",
                "--max-packets", "--timeout", "-o", "--output"));
        final Config config = ConfigLoader.load(a.configFile(), a.overrides());
        final KafkaSinkSettings sink = KafkaSinkSettings.from(config);
        final ExportOptions.From from;
        try {
            from = ExportOptions.From.of(a.option("--from", "beginning"));
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Invalid value " + a.option("--from", "") + " for --from: expected beginning or end");
        }
        final String output = a.option("-o", a.option("--output", "-"));
        final Map<String, String> consumer = new LinkedHashMap<>();
        sink.producer().forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
                consumer.put(key, value);
            }
        });
        final ExportOptions options = ExportOptions.of(a.option("--bootstrap-servers", sink.bootstrapServers()),
                        a.option("--topic", sink.topic()))
                .withFrom(from)
                .withMaxPackets(a.longOption("--max-packets", 0, 0))
                .withIdleTimeout(a.durationOption("--timeout", Duration.ofSeconds(10)))
                .withOutput(output)
                .withConsumer(consumer);
        final ExportResult result = output.equals("-")
                ? TopicExporter.export(options, stdout)
                : TopicExporter.export(options);
        stderr.println("probe: exported " + result.packetsWritten() + " packets from topic " + options.topic()
                + (output.equals("-") ? " to standard output" : " to " + output)
                + (result.skipped() > 0 ? " (" + result.skipped() + " records without an 8-byte key or a value skipped)" : ""));
        return 0;
    }
}
