package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import org.jctools.util.PaddedAtomicLong;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The transmit ring of one receive queue: a bounded, single-producer (its receive worker),
 * multi-consumer (its transmit workers) queue of packet descriptors, with a fixed capacity counted in
 * packets.
 *
 * <p>Descriptors are stored as parallel primitive arrays, so offering and draining allocate nothing.
 * The producer publishes a whole burst with one release store of the tail; a consumer claims a run of
 * slots with one compare-and-set of the head, copies them out, then frees each slot for the producer's
 * next lap with a release store of its sequence.
 */
public final class SpmcPacketRing {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    private final int mask;
    private final long[] timestampNanos;
    private final int[] capturedLength;
    private final int[] wireLength;
    private final long[] handle;
    /** Slot i is free for the producer at position p when sequence[i] == p. */
    private final long[] sequence;
    private final PaddedAtomicLong tail = new PaddedAtomicLong();
    private final PaddedAtomicLong head = new PaddedAtomicLong();

    /** @param capacity a power of two */
    public SpmcPacketRing(final int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: a power of two >= 2)");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        timestampNanos = new long[capacity];
        capturedLength = new int[capacity];
        wireLength = new int[capacity];
        handle = new long[capacity];
        sequence = new long[capacity];
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
    }

    /** The most packets the ring holds. */
    public int capacity() {
        return capacity;
    }

    /**
     * Producer only. Appends packets {@code [from, burst.size())} of {@code burst} in order until the ring
     * is full.
     *
     * @return how many were appended; the rest stay the caller's to release
     */
    public int offer(final PacketBurst burst, final int from) {
        final int size = burst.size();
        final long start = tail.get();
        long position = start;
        int i = from;
        while (i < size) {
            final int slot = (int) position & mask;
            if ((long) SEQUENCE.getAcquire(sequence, slot) != position) {
                break; // still held by the previous lap: full
            }
            timestampNanos[slot] = burst.timestampNanos(i);
            capturedLength[slot] = burst.capturedLength(i);
            wireLength[slot] = burst.wireLength(i);
            handle[slot] = burst.handle(i);
            position++;
            i++;
        }
        if (position != start) {
            tail.lazySet(position);
        }
        return i - from;
    }

    /**
     * Consumer. Moves up to {@code max} packets (no more than the burst's remaining room) into
     * {@code burst}, in ring order.
     *
     * @return how many were moved; 0 when the ring is empty
     */
    public int drain(final PacketBurst burst, final int max) {
        final int room = Math.min(max, burst.remaining());
        if (room <= 0) {
            return 0;
        }
        long from;
        int n;
        do {
            from = head.get();
            final long available = tail.get() - from;
            if (available <= 0) {
                return 0;
            }
            n = (int) Math.min(room, available);
        } while (!head.compareAndSet(from, from + n));

        for (int k = 0; k < n; k++) {
            final long position = from + k;
            final int slot = (int) position & mask;
            burst.add(timestampNanos[slot], capturedLength[slot], wireLength[slot], handle[slot]);
            SEQUENCE.setRelease(sequence, slot, position + capacity);
        }
        return n;
    }

    /**
     * Slots not holding a packet, as the producer sees them. May count slots a consumer has claimed but
     * not yet copied out, so an {@link #offer} right after can still take fewer. Producer only.
     */
    public int remainingCapacity() {
        return (int) (capacity - (tail.get() - head.get()));
    }

    /** Packets ever appended. Any thread. */
    public long enqueued() {
        return tail.get();
    }

    /** Packets ever taken by consumers. Any thread. */
    public long dequeued() {
        return head.get();
    }

    /** Packets waiting now; reads the head first, so never negative. Any thread. */
    public long depth() {
        final long h = head.get();
        return Math.max(0, tail.get() - h);
    }
}
