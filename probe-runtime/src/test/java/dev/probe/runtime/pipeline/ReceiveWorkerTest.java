package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a receive worker fills its ring of bursts: from a source that waits to be read it never drops and
 * refills a full ring only once half of it is free; while the ring's consumers lag it keeps its bursts
 * full, so a full ring holds as many packets as it has room for; from a live source a full ring drops
 * and counts. Packets come off the ring in the order the source gave them.
 */
class ReceiveWorkerTest {
    private static final int CAPACITY = 16;
    private static final int BURST = 4;

    @Test
    void aFullRingIsRefilledOnlyOnceHalfOfItIsFree() {
        final CountingQueue queue = new CountingQueue(BURST);
        final BurstRing ring = new BurstRing(CAPACITY, BURST);
        final ReceiveWorker worker = new ReceiveWorker(queue, new NoMemory(), ring, 8, new CaptureBudget(0), false);
        worker.doWork();
        assertEquals(0, ring.freeSlots(), "full bursts, polled again at once until the ring is full");
        worker.doWork();
        final int pollsWhenFull = queue.polls;
        final List<Long> out = new ArrayList<>();

        takeBursts(ring, CAPACITY / BURST / 2 - 1, out);
        worker.doWork();
        worker.doWork();
        assertEquals(pollsWhenFull, queue.polls, "no poll while less than half of the ring is free");

        takeBursts(ring, 1, out);
        worker.doWork();
        assertEquals(0, ring.freeSlots(), "half free: the worker fills the ring again");
        assertEquals(pollsWhenFull + 2, queue.polls, "in two full bursts");

        takeBursts(ring, Integer.MAX_VALUE, out);
        assertEquals(CAPACITY + CAPACITY / 2, out.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(i, out.get(i), "every polled packet came off the ring, in poll order");
        }
        assertEquals(0, worker.counters().get(ReceiveCounter.RING_FULL));
    }

    @Test
    void whileConsumersLagBurstsAreToppedUpSoAFullLiveRingHoldsItsCapacityBeforeItDrops() {
        final CountingQueue queue = new CountingQueue(1); // a trickle: one packet per poll
        final BurstRing ring = new BurstRing(CAPACITY, BURST);
        final CountingMemory memory = new CountingMemory();
        final ReceiveWorker worker = new ReceiveWorker(queue, memory, ring, 0, new CaptureBudget(0), true);

        worker.doWork();
        assertEquals(1, ring.waiting(), "nothing waiting on the ring: a packet is handed on at once");
        for (int i = 0; i < 40; i++) {
            worker.doWork();
        }
        assertEquals(41, worker.counters().get(ReceiveCounter.PACKETS));
        assertEquals(1 + 3 * BURST, ring.enqueued(), "the other bursts were published only once full");
        assertEquals(0, 41 - ring.enqueued() - worker.counters().get(ReceiveCounter.RING_FULL),
                "every packet is on the ring or counted as ring-full: the ring was full after the 13th");

        final List<Long> out = new ArrayList<>();
        takeBursts(ring, Integer.MAX_VALUE, out);
        worker.doWork();
        assertEquals(1, ring.waiting(), "the consumers caught up: the next packet is handed on at once");
        worker.doWork();
        worker.doWork();
        worker.doWork();
        assertEquals(1, ring.waiting(), "a burst is waiting: the next three packets top up one burst");
        takeBursts(ring, 1, out);
        worker.doWork();
        assertEquals(1, ring.waiting(), "the consumers took what was waiting: the topped-up burst follows");
        takeBursts(ring, Integer.MAX_VALUE, out);

        worker.finish();
        worker.doWork();
        assertTrue(worker.isDone(), "a stop publishes the burst being topped up, then ends");
        takeBursts(ring, Integer.MAX_VALUE, out);
        final List<Long> expected = new ArrayList<>();
        for (long h = 0; h < 13; h++) {
            expected.add(h);
        }
        for (long h = 41; h < 46; h++) {
            expected.add(h);
        }
        assertEquals(expected, out, "what was not dropped comes off the ring in poll order, the last at the stop");
        assertEquals(46, worker.counters().get(ReceiveCounter.PACKETS));
        assertEquals(28, worker.counters().get(ReceiveCounter.RING_FULL));
        assertEquals(28, memory.released, "what a full ring dropped went back to the source");
        assertEquals(46, ring.enqueued() + worker.counters().get(ReceiveCounter.RING_FULL), "nothing held after the stop");
    }

    /** Takes up to {@code bursts} bursts off the ring, adds their handles to {@code out} and releases them. */
    private static void takeBursts(final BurstRing ring, final int bursts, final List<Long> out) {
        for (int b = 0; b < bursts; b++) {
            final long position = ring.take();
            if (position < 0) {
                return;
            }
            final PacketBurst burst = ring.burst(position);
            for (int i = 0; i < burst.size(); i++) {
                out.add(burst.handle(i));
            }
            ring.release(position);
        }
    }

    /** A source that always has packets, at most {@code perPoll} per poll; handles count up from 0. */
    private static final class CountingQueue implements ReceiveQueue {
        private final int perPoll;
        int polls;
        long next;

        CountingQueue(final int perPoll) {
            this.perPoll = perPoll;
        }

        @Override
        public int id() {
            return 0;
        }

        @Override
        public int poll(final PacketBurst burst) {
            polls++;
            int n = 0;
            while (burst.remaining() > 0 && n < perPoll) {
                burst.add(next, 60, 60, next++);
                n++;
            }
            return n;
        }
    }

    private static final class NoMemory implements PacketMemory {
        @Override
        public MemorySegment data(final long handle, final int capturedLength) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void release(final PacketBurst burst, final int from, final int count) {
            throw new AssertionError("nothing is released: nothing is dropped");
        }
    }

    /** Counts what a full ring made the worker release. */
    private static final class CountingMemory implements PacketMemory {
        long released;

        @Override
        public MemorySegment data(final long handle, final int capturedLength) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void release(final PacketBurst burst, final int from, final int count) {
            released += count;
        }
    }
}
