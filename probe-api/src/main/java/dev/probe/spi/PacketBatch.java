package dev.probe.spi;

import java.lang.foreign.MemorySegment;

/**
 * A read-only view of the packets one {@link Sink#send} call hands to a sink.
 *
 * <p>Valid only during that call, on the transmit worker's thread: as soon as {@code send} returns the
 * runtime releases the packets to their source, which reuses their memory (a DPDK mbuf, a buffer
 * slot). A sink copies whatever it keeps, with {@link #copyTo} or from {@link #data}. A sink cannot
 * release, clear or add packets: that stays the runtime's job.
 */
public interface PacketBatch {

    /** How many packets the batch holds, at least 1. */
    int size();

    /** Capture time of packet {@code i} in nanoseconds since the epoch. */
    long timestampNanos(int i);

    /** Capture time of packet {@code i} in microseconds since the epoch, rounded down. */
    default long timestampMicros(final int i) {
        return Math.floorDiv(timestampNanos(i), 1_000L);
    }

    /** Bytes captured of packet {@code i}: the length of {@link #data(int)}. */
    int capturedLength(int i);

    /** Bytes packet {@code i} had on the wire; above {@link #capturedLength} when it was truncated. */
    int wireLength(int i);

    /**
     * The captured bytes of packet {@code i} as a read-only view of the source's memory, valid until
     * {@code send} returns. Creates a view object; {@link #copyTo} does not.
     */
    MemorySegment data(int i);

    /** Copies the {@link #capturedLength} bytes of packet {@code i} into {@code destination} at {@code offset}. */
    void copyTo(int i, byte[] destination, int offset);

    /** Copies the {@link #capturedLength} bytes of packet {@code i} into {@code destination} at {@code offset}. */
    void copyTo(int i, MemorySegment destination, long offset);
}
