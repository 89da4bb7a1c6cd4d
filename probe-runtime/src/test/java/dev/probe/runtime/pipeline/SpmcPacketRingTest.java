package dev.probe.runtime.pipeline;

import dev.probe.api.PacketBurst;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SpmcPacketRingTest {

    @Test
    void offersUntilFullThenTakesTheRestBackAfterADrain() {
        final SpmcPacketRing ring = new SpmcPacketRing(8);
        final PacketBurst in = new PacketBurst(12);
        for (int i = 0; i < 12; i++) {
            in.add(1_000L * i, 60 + i, 100 + i, i);
        }
        assertEquals(8, ring.offer(in, 0));
        assertEquals(0, ring.offer(in, 8), "a full ring takes nothing");
        assertEquals(8, ring.depth());

        final PacketBurst out = new PacketBurst(5);
        assertEquals(5, ring.drain(out, 100));
        for (int i = 0; i < 5; i++) {
            assertEquals(i, out.handle(i));
            assertEquals(1_000L * i, out.timestampNanos(i));
            assertEquals(60 + i, out.capturedLength(i));
            assertEquals(100 + i, out.wireLength(i));
        }
        assertEquals(4, ring.offer(in, 8), "freed slots are reused on the next lap");
        out.clear();
        assertEquals(5, ring.drain(out, 5));
        out.clear();
        assertEquals(2, ring.drain(out, 2), "max bounds a drain");
        assertEquals(0, ring.depth());
        out.clear();
        assertEquals(0, ring.drain(out, 5), "an empty ring gives nothing");
    }

    @Test
    void everyPacketReachesExactlyOneConsumerInProducerOrderPerConsumer() throws InterruptedException {
        final int total = 2_000_000;
        final SpmcPacketRing ring = new SpmcPacketRing(1024);
        final BitSet seen = new BitSet(total);
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            final Thread t = new Thread(() -> {
                final PacketBurst out = new PacketBurst(64);
                long last = -1;
                while (consumed.get() < total) {
                    out.clear();
                    final int n = ring.drain(out, 64);
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
                    consumed.addAndGet(n);
                    if (n == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            consumers.add(t);
            t.start();
        }
        final PacketBurst in = new PacketBurst(32);
        long next = 0;
        while (next < total) {
            in.clear();
            for (int i = 0; i < 32 && next + i < total; i++) {
                final long h = next + i;
                in.add(h * 3, (int) (h % 1500), 1500, h);
            }
            int from = 0;
            while (from < in.size()) {
                final int n = ring.offer(in, from);
                from += n;
                if (n == 0) {
                    Thread.onSpinWait();
                }
            }
            next += in.size();
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
        assertEquals(0, ring.depth());
    }
}
