package dev.probe.sink.kafka.export;

import dev.probe.api.LinkType;
import dev.probe.sink.kafka.PacketRecordFormat;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the record headers the Kafka sink writes beside a frame: {@code wire-length} (present when the
 * frame was truncated) and {@code link-type} (present when the link type is not Ethernet), each a
 * 4-byte big-endian unsigned integer. Stateless.
 */
final class PacketHeaders {
    /** {@link #linkType}: the header is present but not 4 bytes. */
    static final int MALFORMED = -1;

    private PacketHeaders() {
    }

    /** The frame's link type: the header's value, {@link LinkType#ETHERNET} without one, {@link #MALFORMED}. */
    static int linkType(final Headers headers) {
        final Header header = headers.lastHeader(PacketRecordFormat.LINK_TYPE_HEADER);
        if (header == null) {
            return LinkType.ETHERNET;
        }
        final long value = PacketRecordFormat.linkType(header.value());
        return value < 0 || value > Integer.MAX_VALUE ? MALFORMED : (int) value;
    }

    /** The frame's wire length: the header's value, or the captured length without one or when it is malformed. */
    static long wireLength(final Headers headers, final int captured) {
        final Header header = headers.lastHeader(PacketRecordFormat.WIRE_LENGTH_HEADER);
        if (header == null) {
            return captured;
        }
        final long wire = PacketRecordFormat.wireLength(header.value());
        return wire < 0 ? captured : wire;
    }

    /**
     * A link type given as a number or a name, for {@code --link-type}: {@code ethernet}, {@code raw-ip},
     * {@code linux-sll}, {@code linux-sll2}, or a number from 1 to 65535 of the tcpdump.org registry.
     *
     * @throws IllegalArgumentException for anything else
     */
    static int parseLinkType(final String value) {
        for (final int known : new int[] {LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.LINUX_SLL2}) {
            if (LinkType.name(known).equalsIgnoreCase(value)) {
                return known;
            }
        }
        try {
            final int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= 65_535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(value);
    }
}
