package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.source.dpdk.internal.DeviceClock;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a port: later polls return nothing without calling the driver, a pool with mbufs still out is
 * leaked rather than freed, and the counters DPDK reports as drops and as details.
 */
class DpdkSourceCloseTest {
    private static List<String> eal;
    private static SharedCaptures.Entry afs;

    @BeforeAll
    static void startEal() {
        TestConfigs.requireDpdk();
        afs = SharedCaptures.entry("afs.pcap");
        final String file = afs.path().toString();
        eal = TestConfigs.ealArgs("probe-test-close", List.of("net_pcap0,rx_pcap=" + file + ",infinite_rx=1",
                "net_pcap1,rx_pcap=" + file, "net_pcap2,rx_pcap=" + file));
    }

    @Test
    void aPollAfterCloseReturnsNothingAndNoMbufIsADetailNotADrop() {
        final DpdkSource source = DpdkSource.open(TestConfigs.config(eal, Map.of("port", "net_pcap0",
                "mbufs", 4095, "link-wait", "1s")));
        final DpdkReceiveQueue queue = source.queues().get(0);
        queue.onStart();
        final PacketBurst burst = new PacketBurst(32);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (burst.size() == 0 && System.nanoTime() < deadline) {
            queue.poll(burst);
        }
        assertTrue(burst.size() > 0, "the endless replay delivers");
        final long before = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(burst.timestampNanos(0) - before) < 1_000_000_000L, "clock timestamps are epoch nanoseconds");
        source.memory().release(burst, 0, burst.size());
        assertEquals(Set.of("nic-missed", "unread"), source.drops().keySet(), "imissed and unread are the drops");
        assertTrue(source.details().containsKey("no-mbuf"), source.details().toString());
        source.close();
        burst.clear();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, queue.poll(burst), "nothing after close, and the driver is not called");
        }
        assertEquals(0, burst.size());
        queue.onStop();
        assertEquals(0L, source.details().get("mbufs-unreturned"));
    }

    @Test
    void aPacketHeldAtCloseLeaksThePoolInsteadOfFreeingIt() {
        final DpdkSource source = DpdkSource.open(TestConfigs.config(eal, Map.of("port", "net_pcap1",
                "mbufs", 2047, "link-wait", "1s")));
        final DpdkReceiveQueue queue = source.queues().get(0);
        queue.onStart();
        final PacketBurst burst = new PacketBurst(32);
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (burst.size() < 2 && System.nanoTime() < deadline) {
            queue.poll(burst);
        }
        assertTrue(burst.size() >= 2, "frames arrive");
        source.memory().release(burst, 1, burst.size() - 1);
        source.close();
        assertEquals(1L, source.details().get("mbufs-unreturned"));
        assertEquals(0, source.mbufsAvailable(), "the pool is no longer used");
        // The pool's memory is still there: a late release is harmless.
        source.memory().release(burst, 0, 1);
        queue.onStop();
    }

    @Test
    void aDriverWithoutADeviceClockCannotBeCalibratedForNicTimestamps() {
        final int port = DpdkPorts.list(TestConfigs.config(eal, Map.of())).stream()
                .filter(p -> p.name().equals("net_pcap2")).findFirst().orElseThrow().id();
        final DeviceClock.Unusable e = assertThrows(DeviceClock.Unusable.class,
                () -> DeviceClock.calibrate(port, Duration.ZERO));
        assertEquals(-95, e.status(), "net_pcap has no rte_eth_read_clock: -ENOTSUP");
    }
}
