package dev.probe.sink.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The layout of one captured frame as a Kafka record, shared by the sink that writes it and the
 * exporter that reads it back. The key and value follow the contract Metron's pcap topology reads;
 * anything extra lives in record headers.
 *
 * <ul>
 *   <li>key: capture time as 8-byte big-endian microseconds since the epoch</li>
 *   <li>value: the captured bytes, no header of any kind</li>
 *   <li>record timestamp: capture time in milliseconds, or the time the probe sent the record when
 *       {@code probe.sink.kafka.record-timestamp = send} (the key keeps the capture time)</li>
 *   <li>header {@value #WIRE_LENGTH_HEADER}: the frame's length on the wire as a 4-byte big-endian
 *       unsigned int, present only when the capture was truncated</li>
 *   <li>header {@value #LINK_TYPE_HEADER}: the capture's link type (a tcpdump.org {@code LINKTYPE_}
 *       number, see {@link dev.probe.api.LinkType}) as a 4-byte big-endian unsigned int, present on every
 *       record of a capture whose link type is not Ethernet ({@code 1}) and on none of an Ethernet
 *       capture, so that Ethernet records stay exactly what Metron's pcap topology reads. A reader that
 *       finds no such header takes the frame as Ethernet.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class PacketRecordFormat {
    /** Name of the header that carries the wire length of a truncated frame. */
    public static final String WIRE_LENGTH_HEADER = "wire-length";
    /** Size of a key in bytes. */
    public static final int KEY_BYTES = Long.BYTES;
    /** Size of the {@value #WIRE_LENGTH_HEADER} header value in bytes. */
    public static final int WIRE_LENGTH_BYTES = Integer.BYTES;
    /** Name of the header that carries the link type of a capture that is not Ethernet. */
    public static final String LINK_TYPE_HEADER = "link-type";
    /** Size of the {@value #LINK_TYPE_HEADER} header value in bytes. */
    public static final int LINK_TYPE_BYTES = Integer.BYTES;

    /** Bytes a record batch adds around its records (Kafka's {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}). */
    private static final int RECORD_BATCH_OVERHEAD = 61;
    /** Most bytes a record adds around its key, value and headers (Kafka's {@code DefaultRecord.MAX_RECORD_OVERHEAD}). */
    private static final int MAX_RECORD_OVERHEAD = 21;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private PacketRecordFormat() {
    }

    /** A new key for a frame captured at {@code epochMicros}. */
    public static byte[] key(final long epochMicros) {
        final byte[] key = new byte[KEY_BYTES];
        LONG_BE.set(key, 0, epochMicros);
        return key;
    }

    /** Writes the key of a frame captured at {@code epochMicros} into {@code key}, which has {@link #KEY_BYTES} bytes. */
    public static void key(final long epochMicros, final byte[] key) {
        LONG_BE.set(key, 0, epochMicros);
    }

    /** Whether {@code key} has the layout of a frame key. */
    public static boolean isKey(final byte[] key) {
        return key != null && key.length == KEY_BYTES;
    }

    /** The capture time in microseconds since the epoch held by a key for which {@link #isKey} is true. */
    public static long epochMicros(final byte[] key) {
        return (long) LONG_BE.get(key, 0);
    }

    /** A new {@value #WIRE_LENGTH_HEADER} header value for {@code wireLength} (taken as unsigned). */
    public static byte[] wireLength(final int wireLength) {
        final byte[] value = new byte[WIRE_LENGTH_BYTES];
        INT_BE.set(value, 0, wireLength);
        return value;
    }

    /** A new {@value #LINK_TYPE_HEADER} header value for {@code linkType} (taken as unsigned). */
    public static byte[] linkType(final int linkType) {
        final byte[] value = new byte[LINK_TYPE_BYTES];
        INT_BE.set(value, 0, linkType);
        return value;
    }

    /** The link type held by a {@value #LINK_TYPE_HEADER} header value, or -1 when it is not 4 bytes. */
    public static long linkType(final byte[] headerValue) {
        if (headerValue == null || headerValue.length != LINK_TYPE_BYTES) {
            return -1;
        }
        return Integer.toUnsignedLong((int) INT_BE.get(headerValue, 0));
    }

    /**
     * The most bytes a batch holding only the record of a {@code frameLength}-byte frame takes,
     * uncompressed, with or without each header: the same upper bound the Kafka producer computes
     * before it appends a record. A broker refuses a batch above its topic's {@code max.message.bytes}.
     */
    public static int recordUpperBound(final int frameLength, final boolean wireLengthHeader,
                                       final boolean linkTypeHeader) {
        int headers = 0;
        int headerBytes = 0;
        if (wireLengthHeader) {
            headers++;
            headerBytes += header(WIRE_LENGTH_HEADER.length(), WIRE_LENGTH_BYTES);
        }
        if (linkTypeHeader) {
            headers++;
            headerBytes += header(LINK_TYPE_HEADER.length(), LINK_TYPE_BYTES);
        }
        return RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD
                + varintSize(KEY_BYTES) + KEY_BYTES
                + varintSize(frameLength) + frameLength
                + varintSize(headers) + headerBytes;
    }

    private static int header(final int keyLength, final int valueLength) {
        return varintSize(keyLength) + keyLength + varintSize(valueLength) + valueLength;
    }

    /** Bytes of the zig-zag varint Kafka writes for a length {@code n >= 0}. */
    private static int varintSize(final int n) {
        int v = n << 1;
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** The wire length held by a {@value #WIRE_LENGTH_HEADER} header value, or -1 when it is not 4 bytes. */
    public static long wireLength(final byte[] headerValue) {
        if (headerValue == null || headerValue.length != WIRE_LENGTH_BYTES) {
            return -1;
        }
        return Integer.toUnsignedLong((int) INT_BE.get(headerValue, 0));
    }
}
