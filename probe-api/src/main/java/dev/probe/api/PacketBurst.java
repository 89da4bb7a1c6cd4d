package dev.probe.api;

/**
 * A reusable, fixed-capacity batch of packet descriptors, stored as parallel primitive arrays so that
 * filling and draining it allocates nothing.
 *
 * <p>The bursts live in the runtime's transmit rings: a receive worker hands the next free one to
 * {@link dev.probe.spi.ReceiveQueue#poll} to fill, then publishes it; a transmit worker reads it in place
 * and gives it back. A burst has one thread at a time: it is never filled and read at once.
 *
 * <p>Each packet is described by its capture time, captured and wire lengths, and an opaque
 * {@code handle} that only the {@link dev.probe.spi.PacketMemory} of the source that produced it can
 * read and release.
 */
public final class PacketBurst {
    private final long[] timestampNanos;
    private final int[] capturedLength;
    private final int[] wireLength;
    private final long[] handle;
    private int size;
    private int limit;

    /**
     * @param capacity the most packets this burst holds, at least 1
     */
    public PacketBurst(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        timestampNanos = new long[capacity];
        capturedLength = new int[capacity];
        wireLength = new int[capacity];
        handle = new long[capacity];
        limit = capacity;
    }

    /** The most packets this burst can hold. */
    public int capacity() {
        return handle.length;
    }

    /** How many packets may be appended before the burst is full: {@code limit() - size()}. */
    public int remaining() {
        return limit - size;
    }

    /** The most packets this burst takes now: its capacity unless lowered by {@link #limit(int)}. */
    public int limit() {
        return limit;
    }

    /**
     * Lowers (or restores) how many packets this burst takes, so that a run stopping after N packets
     * asks its source for no more than it needs.
     *
     * @param limit from {@link #size()} to {@link #capacity()}
     */
    public void limit(final int limit) {
        if (limit < size || limit > handle.length) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: " + size + " to " + handle.length + ")");
        }
        this.limit = limit;
    }

    /** How many packets the burst holds now. */
    public int size() {
        return size;
    }

    /** Forgets every packet; the caller must already have passed on or released them. */
    public void clear() {
        size = 0;
    }

    /**
     * Appends a packet.
     *
     * @param timestampNanos capture time in nanoseconds since the epoch
     * @param capturedLength bytes captured, at most {@code wireLength}
     * @param wireLength bytes the packet had on the wire
     * @param handle the source's token for this packet
     * @return false, appending nothing, when the burst is full (at its {@link #limit()})
     */
    public boolean add(final long timestampNanos, final int capturedLength, final int wireLength, final long handle) {
        final int i = size;
        if (i == limit) {
            return false;
        }
        this.timestampNanos[i] = timestampNanos;
        this.capturedLength[i] = capturedLength;
        this.wireLength[i] = wireLength;
        this.handle[i] = handle;
        size = i + 1;
        return true;
    }

    /** Capture time of packet {@code i} in nanoseconds since the epoch. */
    public long timestampNanos(final int i) {
        return timestampNanos[i];
    }

    /** Capture time of packet {@code i} in microseconds since the epoch: the Kafka key. */
    public long timestampMicros(final int i) {
        return Math.floorDiv(timestampNanos[i], 1_000L);
    }

    /** Bytes captured of packet {@code i}. */
    public int capturedLength(final int i) {
        return capturedLength[i];
    }

    /** Bytes packet {@code i} had on the wire; above {@link #capturedLength} when the capture was truncated. */
    public int wireLength(final int i) {
        return wireLength[i];
    }

    /** The source's token for packet {@code i}. */
    public long handle(final int i) {
        return handle[i];
    }

    /** The handles array itself, for bulk release of the first {@link #size()} entries. Do not modify. */
    public long[] handles() {
        return handle;
    }
}
