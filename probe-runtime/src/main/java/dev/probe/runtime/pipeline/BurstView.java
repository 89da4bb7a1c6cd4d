package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The read-only {@link PacketBatch} a transmit worker hands its sink: a view of a run of packets of a
 * ring's {@link PacketBurst}, reading bytes through the source's {@link PacketMemory}. The sink can read
 * but not release, clear or add packets. One per transmit worker, re-aimed with {@link #wrap} for every
 * send; its thread only.
 */
final class BurstView implements PacketBatch {
    private final PacketMemory memory;
    private PacketBurst burst;
    private int from;
    private int size;

    BurstView(final PacketMemory memory) {
        this.memory = memory;
    }

    /** Shows packets {@code [from, from + size)} of {@code burst} as packets {@code [0, size)}. */
    void wrap(final PacketBurst burst, final int from, final int size) {
        this.burst = burst;
        this.from = from;
        this.size = size;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long timestampNanos(final int i) {
        return burst.timestampNanos(check(i));
    }

    @Override
    public long timestampMicros(final int i) {
        return burst.timestampMicros(check(i));
    }

    @Override
    public int capturedLength(final int i) {
        return burst.capturedLength(check(i));
    }

    @Override
    public int wireLength(final int i) {
        return burst.wireLength(check(i));
    }

    @Override
    public MemorySegment data(final int i) {
        return bytes(i).asReadOnly();
    }

    @Override
    public void copyTo(final int i, final byte[] destination, final int offset) {
        final int p = check(i);
        final int length = burst.capturedLength(p);
        MemorySegment.copy(memory.data(burst.handle(p), length), ValueLayout.JAVA_BYTE, 0, destination, offset, length);
    }

    @Override
    public void copyTo(final int i, final MemorySegment destination, final long offset) {
        final int p = check(i);
        final int length = burst.capturedLength(p);
        MemorySegment.copy(memory.data(burst.handle(p), length), 0, destination, offset, length);
    }

    private MemorySegment bytes(final int i) {
        final int p = check(i);
        return memory.data(burst.handle(p), burst.capturedLength(p));
    }

    /** The burst index of packet {@code i} of the view. */
    private int check(final int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("packet " + i + " of a batch of " + size);
        }
        return from + i;
    }
}
