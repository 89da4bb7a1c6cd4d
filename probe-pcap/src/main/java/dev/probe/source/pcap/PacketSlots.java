package dev.probe.source.pcap;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The table of packets held between capture and release: a handle is a slot index, a slot holds the
 * packet's bytes and is free when null.
 *
 * <p>One producer, many releasers: only the receive worker fills slots ({@link #isFree}, {@link #fill}),
 * in sequence; any thread reads and releases them. Filling publishes with release semantics and
 * checking reads with acquire semantics, so a slot is reused only after its releaser is done with it.
 */
final class PacketSlots implements PacketMemory {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);

    private final byte[][] slots;

    PacketSlots(final int capacity) {
        slots = new byte[capacity][];
    }

    /** How many slots there are. */
    int capacity() {
        return slots.length;
    }

    /** Receive worker: whether slot {@code index} may be filled. */
    boolean isFree(final int index) {
        return SLOT.getAcquire(slots, index) == null;
    }

    /** Receive worker: stores a packet's bytes in the free slot {@code index}, whose handle is the index. */
    void fill(final int index, final byte[] bytes) {
        SLOT.setRelease(slots, index, bytes);
    }

    /** How many slots hold a packet now; for statistics, may be stale. */
    int held() {
        int held = 0;
        for (int i = 0; i < slots.length; i++) {
            if (SLOT.getAcquire(slots, i) != null) {
                held++;
            }
        }
        return held;
    }

    /** Any thread holding the packet: a view of its bytes on the heap, valid until it is released. */
    @Override
    public MemorySegment data(final long handle, final int capturedLength) {
        final byte[] bytes = (byte[]) SLOT.getAcquire(slots, index(handle));
        if (bytes == null) {
            throw new IllegalStateException("packet " + handle + " is not held (released already?)");
        }
        final MemorySegment segment = MemorySegment.ofArray(bytes);
        return capturedLength == bytes.length ? segment : segment.asSlice(0, capturedLength);
    }

    /**
     * Any thread holding the packets: frees their slots.
     *
     * @throws IllegalStateException after freeing the others, when a packet was already released
     */
    @Override
    public void release(final PacketBurst burst, final int from, final int count) {
        long twice = -1;
        for (int i = from, end = from + count; i < end; i++) {
            final long handle = burst.handle(i);
            final byte[] held = (byte[]) SLOT.getAndSetRelease(slots, index(handle), (byte[]) null);
            if (held == null) {
                twice = handle;
            }
        }
        if (twice >= 0) {
            throw new IllegalStateException("packet " + twice + " was released twice");
        }
    }

    private int index(final long handle) {
        if (handle < 0 || handle >= slots.length) {
            throw new IllegalArgumentException("handle: " + handle + " (expected: 0 to " + (slots.length - 1) + ")");
        }
        return (int) handle;
    }
}
