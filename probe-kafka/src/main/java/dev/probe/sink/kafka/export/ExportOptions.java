package dev.probe.sink.kafka.export;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TopicExporter} reads and where it writes. Immutable; build one with {@link #of} and the
 * {@code with} methods.
 *
 * @param bootstrapServers brokers to bootstrap from, {@code host:port[,host:port]}
 * @param topic the topic the sink wrote
 * @param from {@link From#BEGINNING}: every record from the oldest one kept up to the end offsets taken
 *        when the export starts; {@link From#END}: only records written after it starts, until
 *        {@code maxPackets} or until none has arrived for {@code idleTimeout}
 * @param maxPackets stop after this many packets are accepted (past the link-type selection and the
 *        filter); 0 for no limit
 * @param idleTimeout how long the export waits for the cluster: for its metadata and offsets at the
 *        start, and for the next record while records remain to be read, after which it fails; when
 *        following ({@link From#END}), how long without a record ends the export normally
 * @param linkType the link type of the packets to export (records of other link types are skipped and
 *        counted), or 0 to take the first record's and refuse a topic that mixes link types
 * @param filter a BPF expression in tcpdump syntax that packets must match, or {@code ""} for all
 * @param sort whether to write packets in capture-time order across partitions (and within them)
 *        rather than in the order they are read
 * @param sortMemoryBytes the most packet bytes {@code sort} holds in memory before it spills a sorted
 *        run to a temporary file
 * @param tempDirectory where {@code sort} puts its temporary files (mode 0600, deleted at the end); null
 *        for the output file's folder, or the system's temporary folder when writing to standard output
 * @param output the file to write (mode 0600), or {@code "-"} for standard output; used by
 *        {@link TopicExporter#export(ExportOptions)} only
 * @param consumer further KafkaConsumer properties (security settings, fetch sizes); the exporter's
 *        own (deserializers, no group, no commits) take precedence
 */
public record ExportOptions(String bootstrapServers, String topic, From from, long maxPackets, Duration idleTimeout,
                            int linkType, String filter, boolean sort, long sortMemoryBytes, Path tempDirectory,
                            String output, Map<String, String> consumer) {

    /** The sort memory of {@link #of}: 64 MiB of packet bytes. */
    public static final long DEFAULT_SORT_MEMORY = 64L << 20;

    /** Where reading starts in every partition. */
    public enum From {
        /** The oldest record still kept, up to the end offsets at the start. */
        BEGINNING,
        /** Only records written after the export started, until idle. */
        END;

        /**
         * Parses {@code beginning} or {@code end}, in any case.
         *
         * @throws IllegalArgumentException for anything else
         */
        public static From of(final String value) {
            for (final From f : values()) {
                if (f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("from: " + value + " (expected: beginning or end)");
        }
    }

    /** Checks the values and copies the map. */
    public ExportOptions {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(output, "output");
        if (maxPackets < 0) {
            throw new IllegalArgumentException("maxPackets: " + maxPackets + " (expected: >= 0)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        if (linkType < 0) {
            throw new IllegalArgumentException("linkType: " + linkType + " (expected: >= 0)");
        }
        if (sortMemoryBytes < 1) {
            throw new IllegalArgumentException("sortMemoryBytes: " + sortMemoryBytes + " (expected: > 0)");
        }
        consumer = Map.copyOf(consumer == null ? Map.of() : consumer);
    }

    /**
     * Options for {@code topic} at {@code bootstrapServers} with the defaults: from the beginning, no
     * packet limit, 5 s idle timeout, the first record's link type, no filter, read order, standard output.
     */
    public static ExportOptions of(final String bootstrapServers, final String topic) {
        return new ExportOptions(bootstrapServers, topic, From.BEGINNING, 0, Duration.ofSeconds(5), 0, "", false,
                DEFAULT_SORT_MEMORY, null, "-", Map.of());
    }

    /** A copy reading from {@code value}. */
    public ExportOptions withFrom(final From value) {
        return new ExportOptions(bootstrapServers, topic, value, maxPackets, idleTimeout, linkType, filter, sort,
                sortMemoryBytes, tempDirectory, output, consumer);
    }

    /** A copy stopping after {@code value} packets (0 = no limit). */
    public ExportOptions withMaxPackets(final long value) {
        return new ExportOptions(bootstrapServers, topic, from, value, idleTimeout, linkType, filter, sort,
                sortMemoryBytes, tempDirectory, output, consumer);
    }

    /** A copy waiting {@code value} for the cluster. */
    public ExportOptions withIdleTimeout(final Duration value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, value, linkType, filter, sort,
                sortMemoryBytes, tempDirectory, output, consumer);
    }

    /** A copy exporting only packets of link type {@code value}; 0 for the first record's. */
    public ExportOptions withLinkType(final int value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, value, filter, sort,
                sortMemoryBytes, tempDirectory, output, consumer);
    }

    /** A copy exporting only packets that match the BPF expression {@code value} ({@code ""}: all). */
    public ExportOptions withFilter(final String value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, linkType, value, sort,
                sortMemoryBytes, tempDirectory, output, consumer);
    }

    /** A copy writing in capture-time order, holding at most {@code memoryBytes} of packets in memory. */
    public ExportOptions withSort(final boolean value, final long memoryBytes) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, linkType, filter, value,
                memoryBytes, tempDirectory, output, consumer);
    }

    /** A copy putting sort's temporary files in {@code value} (null: the default). */
    public ExportOptions withTempDirectory(final Path value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, linkType, filter, sort,
                sortMemoryBytes, value, output, consumer);
    }

    /** A copy writing to file {@code value}, or standard output for {@code "-"}. */
    public ExportOptions withOutput(final String value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, linkType, filter, sort,
                sortMemoryBytes, tempDirectory, value, consumer);
    }

    /** A copy with further consumer properties {@code value}. */
    public ExportOptions withConsumer(final Map<String, String> value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, linkType, filter, sort,
                sortMemoryBytes, tempDirectory, output, value);
    }
}
