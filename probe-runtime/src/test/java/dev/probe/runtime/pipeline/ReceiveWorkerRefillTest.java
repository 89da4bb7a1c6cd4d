package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * From a source that waits to be read, a receive worker whose ring filled up polls again only once half
 * of the ring is free, then fills it again, and never drops: the packets come off the ring in the order
 * the source gave them.
 */
class ReceiveWorkerRefillTest {
    private static final int CAPACITY = 16;
    private static final int BURST = 4;

    @Test
    void aFullRingIsRefilledOnlyOnceHalfOfItIsFree() {
        final CountingQueue queue = new CountingQueue();
        final SpmcPacketRing ring = new SpmcPacketRing(CAPACITY);
        final ReceiveWorker worker = new ReceiveWorker(queue, new NoMemory(), ring, BURST, 8, new CaptureBudget(0), false);
        while (ring.remainingCapacity() > 0) {
            worker.doWork();
        }
        worker.doWork();
        final int pollsWhenFull = queue.polls;
        final PacketBurst out = new PacketBurst(CAPACITY);
        long expected = 0;

        assertEquals(CAPACITY / 2 - 1, ring.drain(out, CAPACITY / 2 - 1));
        worker.doWork();
        worker.doWork();
        assertEquals(pollsWhenFull, queue.polls, "no poll while less than half of the ring is free");

        assertEquals(1, ring.drain(out, 1));
        worker.doWork();
        assertEquals(0, ring.remainingCapacity(), "half free: the worker fills the ring again");
        assertEquals(pollsWhenFull + 2, queue.polls, "in two full bursts");

        out.clear();
        while (ring.drain(out, CAPACITY) > 0) {
            for (int i = 0; i < out.size(); i++) {
                // handles count from 0 in poll order; the first 8 were drained above
                assertEquals(CAPACITY / 2 + expected++, out.handle(i));
            }
            out.clear();
        }
        assertEquals(CAPACITY + CAPACITY / 2, queue.next, "every polled packet came off the ring");
        assertEquals(0, worker.counters().get(ReceiveCounter.RING_FULL));
    }

    /** A source that always has packets; handles count up from 0. */
    private static final class CountingQueue implements ReceiveQueue {
        int polls;
        long next;

        @Override
        public int id() {
            return 0;
        }

        @Override
        public int poll(final PacketBurst burst) {
            polls++;
            int n = 0;
            while (burst.remaining() > 0) {
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
}
