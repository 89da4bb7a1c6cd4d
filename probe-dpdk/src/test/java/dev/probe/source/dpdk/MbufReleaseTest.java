package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Releasing packets puts their mbufs back without the transmit thread reading the mbuf headers: into the
 * releasing thread's own mempool cache when it is a registered worker thread, straight into the pool
 * otherwise. Each way, many laps of a small pool must hand out byte-exact frames and leave every mbuf back
 * in the pool: a release that lost or doubled an mbuf would show in the pool's count, or as a frame
 * overwritten while still held.
 */
class MbufReleaseTest {
    private static final int POOL = 4095;
    private static final int PACKETS = 60_000;
    private static List<String> eal;
    private static List<CaptureFile.Record> frames;

    @BeforeAll
    static void startEal() throws Exception {
        TestConfigs.requireDpdk();
        final SharedCaptures.Entry afs = SharedCaptures.entry("afs.pcap");
        frames = CaptureFile.read(afs.path());
        eal = TestConfigs.ealArgs("probe-test-release", List.of("net_pcap0,rx_pcap=" + afs.path() + ",infinite_rx=1",
                "net_pcap1,rx_pcap=" + afs.path() + ",infinite_rx=1"));
    }

    @Test
    void aRegisteredWorkerThreadReleasesThroughItsOwnCacheAndEveryMbufComesBack() throws Exception {
        replayOnAThread("net_pcap0", true);
    }

    @Test
    void anUnregisteredThreadReleasesStraightIntoThePoolAndEveryMbufComesBack() throws Exception {
        replayOnAThread("net_pcap1", false);
    }

    private static void replayOnAThread(final String port, final boolean registered) throws Exception {
        final DpdkSource source = DpdkSource.open(TestConfigs.config(eal, Map.of("port", port, "mbufs", POOL,
                "link-wait", "1s")));
        final DpdkReceiveQueue queue = source.queues().get(0);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread worker = Thread.ofPlatform().name("release-test").start(() -> {
            try {
                if (registered) {
                    // as a receive worker and a transmit worker do: the thread gets an lcore id and caches
                    queue.onStart();
                    source.memory().onThreadStart();
                }
                // Hold two bursts at a time, so a release returns mbufs while others are still read.
                final PacketBurst held = new PacketBurst(32);
                final PacketBurst burst = new PacketBurst(32);
                int received = 0;
                while (received < PACKETS) {
                    burst.clear();
                    final int n = queue.poll(burst);
                    for (int i = 0; i < n; i++) {
                        final CaptureFile.Record expected = frames.get((received + i) % frames.size());
                        assertArrayEquals(expected.data(), source.memory().data(burst.handle(i), burst.capturedLength(i))
                                .toArray(ValueLayout.JAVA_BYTE), port + " frame " + (received + i));
                    }
                    for (int i = 0; i < held.size(); i++) {
                        final CaptureFile.Record expected = frames.get((received - held.size() + i) % frames.size());
                        assertArrayEquals(expected.data(), source.memory().data(held.handle(i), held.capturedLength(i))
                                .toArray(ValueLayout.JAVA_BYTE), port + " held frame, still intact");
                    }
                    source.memory().release(held, 0, held.size());
                    held.clear();
                    for (int i = 0; i < n; i++) {
                        held.add(burst.timestampNanos(i), burst.capturedLength(i), burst.wireLength(i), burst.handle(i));
                    }
                    received += n;
                }
                source.memory().release(held, 0, held.size());
                if (registered) {
                    source.memory().onThreadStop();
                }
                queue.onStop();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.join();
        assertNull(failure.get(), () -> "replay failed: " + failure.get());
        assertEquals(frames.size(), source.mbufsInUse(),
                "every mbuf is back in the pool or a cache, but the driver's copy of the replayed file");
        source.close();
        assertEquals(0L, source.details().get("mbufs-unreturned"));
    }
}
