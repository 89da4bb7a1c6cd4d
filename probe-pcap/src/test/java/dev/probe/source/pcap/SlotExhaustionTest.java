package dev.probe.source.pcap;

import dev.probe.api.PacketBurst;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A file source with fewer slots than packets waits for releases and loses nothing. */
class SlotExhaustionTest {
    private static final Path VRRP = SharedCaptures.entry("vrrp.pcap").path();

    @Test
    void returnsZeroWhileEverySlotIsHeldAndContinuesAfterRelease() {
        final List<CaptureFile.Record> expected = CaptureFile.read(VRRP);
        try (CaptureSource source = Captures.openFile(VRRP, "probe.source.pcap.buffer-packets = 5")) {
            final ReceiveQueue queue = source.queues().getFirst();
            final PacketBurst held = new PacketBurst(7);

            assertEquals(5, queue.poll(held), "only as many as there are slots");
            final PacketBurst more = new PacketBurst(7);
            assertEquals(0, queue.poll(more), "every slot held");
            assertEquals(0, queue.poll(more), "still every slot held");

            source.memory().release(held, 1, 1);
            assertEquals(0, queue.poll(more), "the next slot in sequence (0) is still held: nothing overwritten");

            source.memory().release(held, 0, 1);
            assertEquals(2, queue.poll(more), "slots 0 and 1 are free again");
            assertArrayEquals(expected.get(5).data(), bytes(source, more, 0));
            assertArrayEquals(expected.get(6).data(), bytes(source, more, 1));
            for (int i = 2; i < 5; i++) {
                assertArrayEquals(expected.get(i).data(), bytes(source, held, i), "held packet " + i + " untouched");
            }
        }
    }

    @Test
    void deliversEveryPacketInOrderWhenReleasesLagBehindPolls() {
        final List<CaptureFile.Record> expected = CaptureFile.read(VRRP);
        final List<byte[]> received = new ArrayList<>();
        int zeroPolls = 0;
        try (CaptureSource source = Captures.openFile(VRRP, "probe.source.pcap.buffer-packets = 16")) {
            final ReceiveQueue queue = source.queues().getFirst();
            final ArrayDeque<PacketBurst> inFlight = new ArrayDeque<>();
            while (true) {
                final PacketBurst burst = new PacketBurst(7);
                final int n = queue.poll(burst);
                if (n == ReceiveQueue.END_OF_INPUT) {
                    break;
                }
                if (n == 0) {
                    zeroPolls++;
                    final PacketBurst oldest = inFlight.removeFirst();
                    for (int i = 0; i < oldest.size(); i++) {
                        received.add(bytes(source, oldest, i));
                    }
                    source.memory().release(oldest, 0, oldest.size());
                } else {
                    inFlight.addLast(burst);
                }
            }
            for (final PacketBurst burst : inFlight) {
                for (int i = 0; i < burst.size(); i++) {
                    received.add(bytes(source, burst, i));
                }
                source.memory().release(burst, 0, burst.size());
            }
            assertEquals(0L, source.details().get("held"));
        }

        assertEquals(expected.size(), received.size());
        assertEquals(CaptureFile.recordsSha256(expected), CaptureFile.framesSha256(received));
        assertEquals(true, zeroPolls > 0, "the slots ran out at least once");
    }

    @Test
    void refusesAPacketReleasedTwice() {
        try (CaptureSource source = Captures.openFile(VRRP, "")) {
            final PacketBurst burst = new PacketBurst(2);
            assertEquals(2, source.queues().getFirst().poll(burst));
            source.memory().release(burst, 0, 2);

            assertThrows(IllegalStateException.class, () -> source.memory().release(burst, 0, 1));
            assertThrows(IllegalStateException.class, () -> source.memory().data(burst.handle(0), 1));
        }
    }

    private static byte[] bytes(final CaptureSource source, final PacketBurst burst, final int i) {
        return source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE);
    }
}
