package dev.probe.sink.kafka.export;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;
import dev.probe.runtime.cli.LongConfigOptions;
import dev.probe.runtime.cli.ProbeSubcommand;
import dev.probe.sink.kafka.KafkaSinkSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code probe export}: reads the topic the Kafka sink writes back into a pcap file (or standard output
 * for {@code tshark -r -}). Bootstrap servers, topic and security settings come from the sink's
 * configuration unless given as options. Shows progress on standard error when it is a terminal.
 * Main thread.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Read the Kafka topic back into a pcap file, or standard output (pipe into tshark -r -).",
                "Reads every partition up to its end offset at the start, then stops: records written after that are not exported.",
                "The file is created with mode 0600, since it holds packets.",
                "Options follow tcpdump and kcat: -w FILE, -c COUNT, -f FILTER, -b and --topic; the configuration file is --config here, since -c is the count.",
                "-i and -r do not apply: export reads a topic, not an interface or a capture file.",
                "SIGINT, SIGTERM or SIGHUP finish the export with what was read (how --from end is ended); a second one exits at once."},
        footer = {"", "Exit status: 0 done; 2 a bad option or setting, a filter that does not compile, a topic that does not exist, "
                + "a cluster that does not answer within --timeout, or a topic holding more than one link type (export each with --link-type)."})
public final class ExportCommand extends ProbeSubcommand.Base {
    @Mixin
    LongConfigOptions config;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic (default: probe.sink.kafka.topic)")
    String topic;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Brokers (default: probe.sink.kafka.producer.bootstrap.servers)")
    String bootstrapServers;

    @Option(names = "--from", paramLabel = "WHERE", defaultValue = "beginning",
            description = "beginning: every record kept, up to the end at the start; end: only records written "
                    + "after the start, until --max-packets or --timeout without one (default: ${DEFAULT-VALUE})")
    String from;

    @Option(names = {"-c", "--max-packets"}, paramLabel = "COUNT", defaultValue = "0",
            converter = CountConverter.class,
            description = "Stop after COUNT packets (after --link-type and -f), as tcpdump -c (default: no limit)")
    long maxPackets;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "10s",
            description = "How long to wait for the cluster: an answer at the start, or the next record while "
                    + "records remain (a cluster that stops answering is an error). With --from end, how long "
                    + "without a new record ends the export (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = {"-o", "-w", "--output"}, paramLabel = "FILE", defaultValue = "-",
            description = "Output file (mode 0600), or - for standard output; -w as tcpdump (default: ${DEFAULT-VALUE})")
    String output;

    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER",
            description = "Export only packets matching this BPF expression (tcpdump syntax), compiled by libpcap "
                    + "for the packets' link type")
    String filter;

    @Option(names = "--sort",
            description = "Write packets in capture-time order across partitions, sorting on disk beside the "
                    + "output what does not fit in --sort-memory")
    boolean sort;

    @Option(names = "--sort-memory", paramLabel = "SIZE", defaultValue = "64MiB",
            description = "Most packet bytes --sort holds in memory (default: ${DEFAULT-VALUE})")
    String sortMemory;

    @Option(names = "--link-type", paramLabel = "TYPE",
            description = "Export only packets of this link type: ethernet, linux-sll, linux-sll2, raw-ip or a "
                    + "number (default: the first packet's; a topic holding several is then an error)")
    String linkType;

    @Option(names = {"-q", "--quiet"}, description = "No progress line, even on a terminal")
    boolean quiet;

    @Override
    public Integer call() {
        final ExportOptions.From start;
        try {
            start = ExportOptions.From.of(from);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Invalid value " + from + " for --from: expected beginning or end");
        }
        if (maxPackets < 0) {
            throw new ProbeException("Invalid value " + maxPackets + " for --max-packets: expected an integer of at least 0");
        }
        final Duration idle = duration(timeout, "--timeout");
        final long memory = size(sortMemory, "--sort-memory");
        int selected = 0;
        if (linkType != null) {
            try {
                selected = PacketHeaders.parseLinkType(linkType);
            } catch (IllegalArgumentException e) {
                throw new ProbeException("Invalid value " + linkType + " for --link-type: expected ethernet, linux-sll, "
                        + "linux-sll2, raw-ip or a link type number from 1 to 65535");
            }
        }
        final KafkaSinkSettings sink = KafkaSinkSettings.from(config.load(err).config());
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
                .withLinkType(selected)
                .withFilter(filter == null ? "" : filter)
                .withSort(sort, memory)
                .withOutput(output)
                .withConsumer(consumer);
        if (!output.equals("-")) {
            final Path parent = Path.of(output).toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new ProbeException("Cannot write " + output + ": folder " + parent + " does not exist (--output)");
            }
        }
        final ExportProgress progress = !quiet && err == System.err && TerminalProgress.isTerminal(2)
                ? new TerminalProgress(err) : ExportProgress.NONE;
        final ExportStop stop = new ExportStop();
        final List<Signal> signals = new ArrayList<>();
        final List<SignalHandler> previous = new ArrayList<>();
        for (final String name : List.of("INT", "TERM", "HUP")) {
            final Signal signal = new Signal(name);
            signals.add(signal);
            previous.add(Signal.handle(signal, s -> {
                if (stop.requested()) {
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
                err.println("probe: SIG" + s.getName() + ": finishing the export with what was read; signal again to exit at once");
                stop.request();
            }));
        }
        final ExportResult result;
        try {
            result = output.equals("-")
                    ? TopicExporter.export(options, out, progress, stop)
                    : TopicExporter.export(options, progress, stop);
        } finally {
            for (int i = 0; i < signals.size(); i++) {
                Signal.handle(signals.get(i), previous.get(i));
            }
        }
        err.println("probe: exported " + result.packetsWritten() + " packets (" + LinkType.name(result.linkType())
                + ") from topic " + options.topic() + (output.equals("-") ? " to standard output" : " to " + output)
                + details(result));
        return 0;
    }

    private static String details(final ExportResult result) {
        final StringBuilder b = new StringBuilder();
        if (result.filtered() > 0) {
            b.append("; ").append(result.filtered()).append(" not matching the filter");
        }
        if (result.otherLinkType() > 0) {
            b.append("; ").append(result.otherLinkType()).append(" of other link types");
        }
        if (result.skipped() > 0) {
            b.append("; ").append(result.skipped()).append(" records skipped that are not packets "
                    + "(no 8-byte key, no value, or a bad link-type header)");
        }
        return b.toString();
    }

    private static Duration duration(final String value, final String option) {
        final Duration d;
        try {
            d = ConfigFactory.parseString("d = " + ConfigUtil.quoteString(value)).getDuration("d");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + value + " for " + option + ": expected a duration such as 30s, 500ms or 2m");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new ProbeException("Invalid value " + value + " for " + option + ": expected a duration from 1ms to 1d");
        }
        return d;
    }

    private static long size(final String value, final String option) {
        final long bytes;
        try {
            bytes = ConfigFactory.parseString("s = " + ConfigUtil.quoteString(value)).getBytes("s");
        } catch (RuntimeException e) {
            throw new ProbeException("Invalid value " + value + " for " + option + ": expected a size such as 64MiB or 1GiB");
        }
        if (bytes < 1L << 20 || bytes > 1L << 40) {
            throw new ProbeException("Invalid value " + value + " for " + option + ": expected a size from 1MiB to 1TiB");
        }
        return bytes;
    }

    /** {@code -c COUNT}: a count, with a hint for a configuration file given as {@code -c} out of habit. */
    static final class CountConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(final String value) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                final String hint = value.toLowerCase(Locale.ROOT).endsWith(".conf") || isFile(value)
                        ? ": on export, -c is the packet count, as tcpdump's; give the configuration file with --config"
                        : "";
                throw new CommandLine.TypeConversionException("'" + value + "' is not a packet count" + hint);
            }
        }

        private static boolean isFile(final String value) {
            try {
                return Files.isRegularFile(Path.of(value));
            } catch (java.nio.file.InvalidPathException e) {
                return false;
            }
        }
    }
}
