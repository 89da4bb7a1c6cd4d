package dev.probe.sink.kafka.testkit;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PacketMemory} over heap byte arrays, for tests that feed synthetic frames to a sink. A
 * handle is the index of a frame added with {@link #add}. Not thread-safe: fill it before sending.
 */
public final class HeapPacketMemory implements PacketMemory {
    private final List<byte[]> frames = new ArrayList<>();
    private long released;

    /** Keeps {@code frame} and returns its handle. */
    public long add(final byte[] frame) {
        frames.add(frame);
        return frames.size() - 1;
    }

    /** Adds {@code frame} and appends it to {@code burst}, captured in full unless {@code wireLength} is larger. */
    public void append(final PacketBurst burst, final long timestampNanos, final byte[] frame, final int wireLength) {
        if (!burst.add(timestampNanos, frame.length, wireLength, add(frame))) {
            throw new IllegalStateException("burst full");
        }
    }

    @Override
    public MemorySegment data(final long handle, final int capturedLength) {
        return MemorySegment.ofArray(frames.get((int) handle)).asSlice(0, capturedLength);
    }

    @Override
    public void release(final PacketBurst burst, final int from, final int count) {
        released += count;
    }

    /** Packets given back so far. */
    public long released() {
        return released;
    }

    /** A frame of {@code length} bytes whose content depends on {@code seed}. */
    public static byte[] frame(final int length, final int seed) {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
