package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Polls whose burst has room for only 1 to 3 packets: the driver is still asked for 4, what does not fit
 * is handed out by the next polls, and what is left when polling ends is freed and counted as unread, so
 * that ipackets = packets handed out + unread and no mbuf is left out of the pool.
 */
class SmallBurstTest {
    private static List<String> eal;
    private static SharedCaptures.Entry afs;
    private static SharedCaptures.Entry vrrp;

    @BeforeAll
    static void startEal() {
        TestConfigs.requireDpdk();
        afs = SharedCaptures.entry("afs.pcap");
        vrrp = SharedCaptures.entry("vrrp.pcap");
        eal = TestConfigs.ealArgs("probe-test-stash", List.of("net_null0", "net_null1",
                "net_pcap0,rx_pcap=" + afs.path(), "net_pcap1,rx_pcap=" + vrrp.path()));
    }

    @Test
    void pollsWithRoomForOneToThreeDeliverAndTheRestIsUnreadAtClose() {
        final DpdkSource source = open("net_null0");
        final DpdkReceiveQueue queue = source.queues().get(0);
        queue.onStart();
        final PacketBurst burst = new PacketBurst(32);
        // driver calls (4 each) at the 1st, 4th, 6th, 8th, 10th and 12th polls; the rest come from the stash
        final int[] rooms = {1, 2, 3, 3, 1, 2, 2, 3, 1, 1, 3, 1};
        long handedOut = 0;
        for (final int room : rooms) {
            burst.clear();
            burst.limit(room);
            final int n = queue.poll(burst);
            assertTrue(n >= 1 && n <= room, "room " + room + " gave " + n);
            assertEquals(n, burst.size());
            source.memory().release(burst, 0, n);
            handedOut += n;
        }
        final long ipackets = source.details().get("ipackets");
        assertEquals(24, ipackets, "six driver calls, each asked for 4");
        assertEquals(21, handedOut);
        final long stashed = ipackets - handedOut;
        assertEquals(stashed, source.mbufsInUse(), "only the stash is out of the pool");
        assertEquals(handedOut, source.details().get("rx0-packets"));
        source.close();
        assertEquals(Map.of("nic-missed", 0L, "unread", stashed), source.drops());
        assertEquals(ipackets, source.details().get("ipackets"));
        assertEquals(ipackets, handedOut + source.drops().get("unread"), "ipackets = received + drops");
        assertEquals(0L, source.details().get("mbufs-unreturned"));
        queue.onStop();
        assertEquals(stashed, source.drops().get("unread"), "freed once");
    }

    @Test
    void theWorkerFreesTheStashWhenItStops() {
        try (DpdkSource source = open("net_null1")) {
            final DpdkReceiveQueue queue = source.queues().get(0);
            queue.onStart();
            final PacketBurst burst = new PacketBurst(1);
            assertEquals(1, queue.poll(burst));
            assertEquals(4, source.mbufsInUse(), "one handed out, three stashed");
            queue.onStop();
            assertEquals(1, source.mbufsInUse(), "the stash went back to the pool");
            assertEquals(3L, source.drops().get("unread"));
            source.memory().release(burst, 0, 1);
            assertEquals(0, source.mbufsInUse());
            assertEquals(4L, source.details().get("ipackets"));
        }
    }

    @Test
    void aFileReadThroughBurstsOfOneToThreeArrivesWholeInOrderThenEnds() {
        try (DpdkSource source = open("net_pcap0")) {
            final DpdkReceiveQueue queue = source.queues().get(0);
            queue.onStart();
            final PacketBurst burst = new PacketBurst(3);
            final List<byte[]> frames = new ArrayList<>();
            int poll = 0;
            int n;
            do {
                burst.clear();
                burst.limit(1 + poll++ % 3);
                n = queue.poll(burst);
                assertTrue(poll <= afs.packets() + 2, "no end after " + frames.size() + " frames");
                for (int i = 0; i < n; i++) {
                    frames.add(source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE));
                }
                source.memory().release(burst, 0, Math.max(n, 0));
            } while (n != ReceiveQueue.END_OF_INPUT);
            PcapEndOfInputTest.assertFrames(CaptureFile.read(afs.path()), frames, "afs.pcap in bursts of 1 to 3");
            queue.onStop();
            assertEquals(Map.of("nic-missed", 0L, "unread", 0L), source.drops());
            assertEquals((long) afs.packets(), source.details().get("ipackets"));
            assertEquals(0, source.mbufsInUse());
        }
    }

    @Test
    void theLastPacketsOfAPacketBudgetLeaveTheRestOfTheirBurstUnread() {
        final DpdkSource source = open("net_pcap1");
        final DpdkReceiveQueue queue = source.queues().get(0);
        queue.onStart();
        final PacketBurst burst = new PacketBurst(32);
        final int budget = 98;
        int taken = 0;
        while (taken < budget) {
            burst.clear();
            burst.limit(Math.min(burst.capacity(), budget - taken));
            final int n = queue.poll(burst);
            assertTrue(n > 0, "the file has more than the budget");
            source.memory().release(burst, 0, n);
            taken += n;
        }
        assertEquals(budget, taken);
        queue.onStop();
        source.close();
        // 3 full bursts of 32, then room for 2: the driver gave 4
        assertEquals(Map.of("nic-missed", 0L, "unread", 2L), source.drops());
        assertEquals(100L, source.details().get("ipackets"));
        assertEquals(0L, source.details().get("mbufs-unreturned"));
    }

    private static DpdkSource open(final String port) {
        return DpdkSource.open(TestConfigs.config(eal, Map.of("port", port, "mbufs", 2047, "link-wait", "1s")));
    }
}
