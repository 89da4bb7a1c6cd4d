package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class BurstRingTest {

    @Test
    void holdsWholeBurstsRoundedUpToTheRingSize() {
        assertEquals(512, new BurstRing(16384, 32).slots());
        assertEquals(16384, new BurstRing(16384, 32).capacity());
        assertEquals(4, new BurstRing(100, 32).slots(), "rounded up to whole bursts");
        assertEquals(128, new BurstRing(100, 32).capacity());
        assertEquals(2, new BurstRing(16, 32).slots(), "never fewer than two slots");
        assertEquals(8, new BurstRing(16, 32).burstSize(), "bursts cut to half of a small ring");
        assertEquals(16, new BurstRing(16, 32).capacity());
        assertEquals(8, new BurstRing(16, 32).burst(0).capacity(), "the ring's bursts are cut too");
        assertEquals(16384, new BurstRing(16384, 1).slots());
    }

    @Test
    void fillsUntilFullThenReusesASlotOnlyOnceItsConsumerReleasedIt() {
        final BurstRing ring = new BurstRing(8, 4);
        final PacketBurst first = ring.claim();
        assertNotNull(first);
        assertSame(first, ring.claim(), "the tail burst stays the producer's until published");
        for (int i = 0; i < 3; i++) {
            first.add(1_000L * i, 60 + i, 100 + i, i);
        }
        ring.publish();
        final PacketBurst second = ring.claim();
        for (int i = 3; i < 7; i++) {
            second.add(1_000L * i, 60 + i, 100 + i, i);
        }
        ring.publish();
        assertNull(ring.claim(), "a full ring gives no burst");
        assertEquals(2, ring.waiting());
        assertEquals(0, ring.freeSlots());
        assertEquals(7, ring.enqueued());

        final long p0 = ring.take();
        final long p1 = ring.take();
        assertEquals(-1, ring.take(), "nothing more waiting");
        assertEquals(7, ring.dequeued());
        assertEquals(0, ring.waiting());
        final PacketBurst taken = ring.burst(p0);
        assertEquals(3, taken.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, taken.handle(i));
            assertEquals(1_000L * i, taken.timestampNanos(i));
            assertEquals(60 + i, taken.capturedLength(i));
            assertEquals(100 + i, taken.wireLength(i));
        }
        assertEquals(4, ring.burst(p1).size());
        assertNull(ring.claim(), "taken but not released: the slot is still the consumer's");

        ring.release(p1);
        assertNull(ring.claim(), "slots are reused in order: the next lap starts with the first slot");
        ring.release(p0);
        assertSame(first, ring.claim(), "released: the next lap reuses the slot");
    }

    @Test
    void everyPacketReachesExactlyOneConsumerInProducerOrderPerConsumer() throws InterruptedException {
        final int total = 2_000_000;
        final BurstRing ring = new BurstRing(1024, 32);
        final BitSet seen = new BitSet(total);
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            final Thread t = new Thread(() -> {
                long last = -1;
                while (consumed.get() < total) {
                    final long position = ring.take();
                    if (position < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    final PacketBurst out = ring.burst(position);
                    final int n = out.size();
                    for (int i = 0; i < n; i++) {
                        final long h = out.handle(i);
                        if (h <= last || out.timestampNanos(i) != h * 3 || out.capturedLength(i) != (int) (h % 1500)) {
                            outOfOrder.incrementAndGet();
                        }
                        last = h;
                        synchronized (seen) {
                            if (seen.get((int) h)) {
                                duplicates.incrementAndGet();
                            }
                            seen.set((int) h);
                        }
                    }
                    ring.release(position);
                    consumed.addAndGet(n);
                }
            });
            consumers.add(t);
            t.start();
        }
        long next = 0;
        int size = 1;
        while (next < total) {
            PacketBurst in;
            while ((in = ring.claim()) == null) {
                Thread.onSpinWait();
            }
            in.clear();
            // bursts of every size from 1 to 32, as polls of a source under varying load return them
            for (int i = 0; i < size && next < total; i++, next++) {
                in.add(next * 3, (int) (next % 1500), 1500, next);
            }
            ring.publish();
            size = size % 32 + 1;
        }
        for (final Thread t : consumers) {
            t.join();
        }
        assertEquals(total, consumed.get());
        assertEquals(total, seen.cardinality(), "every packet consumed");
        assertEquals(0, duplicates.get(), "no packet consumed twice");
        assertEquals(0, outOfOrder.get(), "each consumer sees packets in producer order, fields intact");
        assertEquals(total, ring.enqueued());
        assertEquals(total, ring.dequeued());
        assertEquals(0, ring.waiting());
    }
}
