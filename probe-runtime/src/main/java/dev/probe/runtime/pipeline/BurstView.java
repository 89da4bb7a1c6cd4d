package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The read-only {@link PacketBatch} a transmit worker hands its sink: a view of the worker's own
 * {@link PacketBurst}, reading bytes through the source's {@link PacketMemory}. The sink can read but
 * not release, clear or add packets. One per transmit worker, reused for every burst; its thread only.
 */
final class BurstView implements PacketBatch {
    private final PacketBurst burst;
    private final PacketMemory memory;

    BurstView(final PacketBurst burst, final PacketMemory memory) {
        this.burst = burst;
        this.memory = memory;
    }

    @Override
    public int size() {
        return burst.size();
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
        final int length = burst.capturedLength(check(i));
        MemorySegment.copy(memory.data(burst.handle(i), length), ValueLayout.JAVA_BYTE, 0, destination, offset, length);
    }

    @Override
    public void copyTo(final int i, final MemorySegment destination, final long offset) {
        final int length = burst.capturedLength(check(i));
        MemorySegment.copy(memory.data(burst.handle(i), length), 0, destination, offset, length);
    }

    private MemorySegment bytes(final int i) {
        return memory.data(burst.handle(check(i)), burst.capturedLength(i));
    }

    private int check(final int i) {
        if (i < 0 || i >= burst.size()) {
            throw new IndexOutOfBoundsException("packet " + i + " of a batch of " + burst.size());
        }
        return i;
    }
}
