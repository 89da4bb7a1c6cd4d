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
 *   <li>record timestamp: capture time in milliseconds</li>
 *   <li>header {@value #WIRE_LENGTH_HEADER}: the frame's length on the wire as a 4-byte big-endian
 *       unsigned int, present only when the capture was truncated</li>
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

    /** The wire length held by a {@value #WIRE_LENGTH_HEADER} header value, or -1 when it is not 4 bytes. */
    public static long wireLength(final byte[] headerValue) {
        if (headerValue == null || headerValue.length != WIRE_LENGTH_BYTES) {
            return -1;
        }
        return Integer.toUnsignedLong((int) INT_BE.get(headerValue, 0));
    }
}
