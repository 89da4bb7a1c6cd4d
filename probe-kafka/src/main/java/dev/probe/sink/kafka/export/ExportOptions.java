package dev.probe.sink.kafka.export;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link TopicExporter} reads and where it writes. Immutable.
 *
 * @param bootstrapServers brokers to bootstrap from, {@code host:port[,host:port]}
 * @param topic the topic the sink wrote
 * @param from where reading starts in every partition
 * @param maxPackets stop after writing this many packets; 0 for no limit
 * @param idleTimeout stop when no record has arrived for this long; also bounds the wait for the
 *        cluster's metadata at the start
 * @param totalTimeout stop after this long in all; {@link Duration#ZERO} for no limit
 * @param linkType pcap link type written in the file header (1 = Ethernet)
 * @param output the file to write, or {@code "-"} for standard output; used by
 *        {@link TopicExporter#export(ExportOptions)} only
 * @param consumer further KafkaConsumer properties (security settings, fetch sizes); the exporter's
 *        own (deserializers, no group, no commits) take precedence
 */
public record ExportOptions(String bootstrapServers, String topic, From from, long maxPackets, Duration idleTimeout,
                            Duration totalTimeout, int linkType, String output, Map<String, String> consumer) {

    /** Where reading starts in every partition. */
    public enum From {
        /** The oldest record still kept. */
        BEGINNING,
        /** Only records written after the export started. */
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
        Objects.requireNonNull(totalTimeout, "totalTimeout");
        Objects.requireNonNull(output, "output");
        if (maxPackets < 0) {
            throw new IllegalArgumentException("maxPackets: " + maxPackets + " (expected: >= 0)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        if (totalTimeout.isNegative()) {
            throw new IllegalArgumentException("totalTimeout: " + totalTimeout + " (expected: >= 0)");
        }
        if (linkType < 0) {
            throw new IllegalArgumentException("linkType: " + linkType + " (expected: >= 0)");
        }
        consumer = Map.copyOf(consumer == null ? Map.of() : consumer);
    }

    /**
     * Options for {@code topic} at {@code bootstrapServers} with the defaults: from the beginning, no
     * packet limit, 5 s idle timeout, no total timeout, Ethernet, standard output.
     */
    public static ExportOptions of(final String bootstrapServers, final String topic) {
        return new ExportOptions(bootstrapServers, topic, From.BEGINNING, 0, Duration.ofSeconds(5), Duration.ZERO,
                PcapWriter.LINKTYPE_ETHERNET, "-", Map.of());
    }

    /** A copy reading from {@code value}. */
    public ExportOptions withFrom(final From value) {
        return new ExportOptions(bootstrapServers, topic, value, maxPackets, idleTimeout, totalTimeout, linkType,
                output, consumer);
    }

    /** A copy stopping after {@code value} packets (0 = no limit). */
    public ExportOptions withMaxPackets(final long value) {
        return new ExportOptions(bootstrapServers, topic, from, value, idleTimeout, totalTimeout, linkType, output,
                consumer);
    }

    /** A copy with idle timeout {@code value}. */
    public ExportOptions withIdleTimeout(final Duration value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, value, totalTimeout, linkType, output,
                consumer);
    }

    /** A copy with total timeout {@code value} ({@link Duration#ZERO} = none). */
    public ExportOptions withTotalTimeout(final Duration value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, value, linkType, output,
                consumer);
    }

    /** A copy writing link type {@code value}. */
    public ExportOptions withLinkType(final int value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, totalTimeout, value, output,
                consumer);
    }

    /** A copy writing to file {@code value}, or standard output for {@code "-"}. */
    public ExportOptions withOutput(final String value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, totalTimeout, linkType,
                value, consumer);
    }

    /** A copy with further consumer properties {@code value}. */
    public ExportOptions withConsumer(final Map<String, String> value) {
        return new ExportOptions(bootstrapServers, topic, from, maxPackets, idleTimeout, totalTimeout, linkType,
                output, value);
    }
}
