package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import org.jctools.util.PaddedAtomicLong;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The transmit ring of one receive queue: a bounded, single-producer (its receive worker),
 * multi-consumer (its transmit workers) ring of packet bursts. Nothing is copied on the way through:
 * the producer polls its source straight into the burst at the tail ({@link #claim()}) and publishes it
 * with one release store ({@link #publish()}); a consumer takes the burst at the head with one
 * compare-and-set ({@link #take()}), hands it to its sink in place and frees its slot for the producer's
 * next lap with one release store ({@link #release}). So the descriptors written on the receive core are
 * the ones the transmit core reads, and the ring's own bookkeeping crosses between the cores once per
 * burst, not once per packet.
 *
 * <p>The ring has {@code ceil(packets / burstSize)} slots of one burst each, so it holds at least
 * {@code packets} packets when its bursts are full (exactly that many when the burst size divides it);
 * the producer keeps them full whenever consumers lag (see {@link ReceiveWorker}). A ring always has at
 * least two slots, so that the producer fills one while a consumer reads another: bursts are cut to half
 * the ring when the ring is smaller than two of them. Slot order is publication order; each consumer sees the
 * bursts it takes in that order.
 *
 * <p>Counters ({@link #enqueued()}, {@link #dequeued()}, {@link #waiting()}) may be read by any thread.
 */
public final class BurstRing {
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    private final int slots;
    private final int burstSize;
    private final PacketBurst[] bursts;
    /** Slot i is free for the producer's position p when sequence[i] == p. */
    private final long[] sequence;
    /** Position of the next burst the producer publishes. */
    private final PaddedAtomicLong tail = new PaddedAtomicLong();
    /** Position of the next burst a consumer takes. */
    private final PaddedAtomicLong head = new PaddedAtomicLong();
    /** Packets published, written by the producer before the tail moves past them. */
    private final PaddedAtomicLong enqueued = new PaddedAtomicLong();
    /** Packets taken, added by a consumer after its take. */
    private final PaddedAtomicLong dequeued = new PaddedAtomicLong();

    /**
     * @param packets the least number of packets the ring holds in full bursts, at least 1
     * @param burstSize the most packets one burst holds, at least 1; cut to {@code packets / 2} when larger
     */
    public BurstRing(final int packets, final int burstSize) {
        if (packets < 1 || burstSize < 1) {
            throw new IllegalArgumentException("packets: " + packets + ", burst size: " + burstSize + " (expected: > 0)");
        }
        this.burstSize = Math.max(1, Math.min(burstSize, packets / 2));
        this.slots = (int) Math.max(2, ((long) packets + this.burstSize - 1) / this.burstSize);
        this.bursts = new PacketBurst[slots];
        this.sequence = new long[slots];
        for (int i = 0; i < slots; i++) {
            bursts[i] = new PacketBurst(this.burstSize);
            sequence[i] = i;
        }
    }

    /** How many bursts the ring holds. */
    public int slots() {
        return slots;
    }

    /** The most packets one burst holds: what the receive worker asks its source for in one poll. */
    public int burstSize() {
        return burstSize;
    }

    /** The most packets the ring holds: {@link #slots()} full bursts. */
    public int capacity() {
        return (int) Math.min(Integer.MAX_VALUE, (long) slots * burstSize);
    }

    /**
     * Producer only. The burst in the tail slot, for the producer to fill and then {@link #publish()}; the
     * same burst, with what was added to it, until it is published. A burst comes back from its previous
     * lap as the consumer left it: the producer clears it before filling it afresh.
     *
     * @return null when the slot still holds a burst of the previous lap (the ring is full, or a consumer
     *         has not released it yet)
     */
    public PacketBurst claim() {
        final long position = tail.get();
        final int slot = slot(position);
        if ((long) SEQUENCE.getAcquire(sequence, slot) != position) {
            return null;
        }
        return bursts[slot];
    }

    /**
     * Producer only, after a {@link #claim()} that returned a burst: makes that burst, as it is now,
     * available to consumers. Publishing an empty burst is allowed but pointless.
     */
    public void publish() {
        final long position = tail.get();
        enqueued.lazySet(enqueued.get() + bursts[slot(position)].size());
        tail.lazySet(position + 1);
    }

    /**
     * Consumer. Takes the burst at the head, to be read with {@link #burst} and handed back with
     * {@link #release} once its packets are released.
     *
     * @return the burst's position, or -1 when no burst is waiting
     */
    public long take() {
        long position;
        do {
            position = head.get();
            if (tail.get() - position <= 0) {
                return -1;
            }
        } while (!head.compareAndSet(position, position + 1));
        dequeued.getAndAdd(bursts[slot(position)].size());
        return position;
    }

    /** The burst at a position {@link #take()} returned; valid until {@link #release} of that position. */
    public PacketBurst burst(final long position) {
        return bursts[slot(position)];
    }

    /** Consumer. Frees the slot of a taken burst for the producer's next lap; the burst is not read again. */
    public void release(final long position) {
        SEQUENCE.setRelease(sequence, slot(position), position + slots);
    }

    /** Bursts published and not yet taken. Any thread. */
    public int waiting() {
        final long h = head.get();
        return (int) Math.max(0, tail.get() - h);
    }

    /**
     * Slots not holding a published burst, as the producer sees them: counts slots a consumer has taken
     * but not yet released, so a {@link #claim()} right after may still fail. Producer only.
     */
    public int freeSlots() {
        return slots - (int) (tail.get() - head.get());
    }

    /** Packets ever published. Any thread. */
    public long enqueued() {
        return enqueued.get();
    }

    /** Packets ever taken by consumers. Any thread. */
    public long dequeued() {
        return dequeued.get();
    }

    private int slot(final long position) {
        return (int) (position % slots);
    }
}
