package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.source.dpdk.internal.CaptureFiles;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A net_pcap port replaying files without infinite_rx ends: each queue hands out every packet of its
 * own file, then END_OF_INPUT, also when the file is damaged or net_pcap lost packets for lack of mbufs;
 * with infinite_rx it never ends. And {@code live} overrides whether a port is treated as live.
 */
class PcapEndOfInputTest {
    /** Records of the file libpcap refuses part-way: 5 frames, one of 300,000 bytes, 3 more. */
    private static final int[] REFUSED_AT_SIX = {60, 61, 62, 63, 64, 300_000, 65, 66, 67};

    @TempDir
    static Path dir;
    private static List<String> eal;
    private static SharedCaptures.Entry afs;
    private static SharedCaptures.Entry vrrp;
    private static Path cut;

    @BeforeAll
    static void startEal() throws IOException {
        TestConfigs.requireDpdk();
        afs = SharedCaptures.entry("afs.pcap");
        vrrp = SharedCaptures.entry("vrrp.pcap");
        final byte[] whole = Files.readAllBytes(afs.path());
        cut = Files.write(dir.resolve("afs-cut.pcap"), Arrays.copyOf(whole, whole.length / 2));
        final Path refused = Files.write(dir.resolve("refused.pcap"),
                CaptureFilesTest.pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, REFUSED_AT_SIX));
        eal = TestConfigs.ealArgs("probe-test-eof", List.of(
                "net_pcap0,rx_pcap=" + afs.path() + ",rx_pcap=" + vrrp.path(),
                "net_pcap1,rx_pcap=" + afs.path() + ",infinite_rx=1",
                "net_pcap2,rx_pcap=" + cut,
                "net_pcap3,rx_pcap=" + refused,
                "net_pcap4,rx_pcap=" + afs.path(),
                "net_pcap5,rx_pcap=" + vrrp.path(),
                "net_null0", "net_null1"));
    }

    @Test
    void eachQueueReplaysItsOwnFileByteExactThenEnds() {
        try (DpdkSource source = open("net_pcap0", Map.of("rx-queues", 2, "mbufs", 4095))) {
            assertFalse(source.isLive(), "live = auto: a replayed file waits to be read");
            final List<CaptureFile.Record> first = CaptureFile.read(afs.path());
            final List<CaptureFile.Record> second = CaptureFile.read(vrrp.path());
            // queue 1 first: the queues do not depend on each other
            assertFrames(second, drain(source, source.queues().get(1), 32), "queue 1 (vrrp.pcap)");
            assertFrames(first, drain(source, source.queues().get(0), 32), "queue 0 (afs.pcap)");
            final Map<String, Long> details = source.details();
            assertEquals(601L, details.get("rx0-file-packets"));
            assertEquals(165L, details.get("rx1-file-packets"));
            assertEquals(601L, details.get("q0-ipackets"));
            assertEquals(165L, details.get("q1-ipackets"));
            assertEquals(601L + 165L, details.get("ipackets"));
            assertEquals(Map.of("nic-missed", 0L, "unread", 0L), source.drops());
            assertEquals(0, source.mbufsInUse(), "every frame released");
        }
    }

    @Test
    void anEndlessReplayNeverEnds() {
        try (DpdkSource source = open("net_pcap1", Map.of("mbufs", 4095))) {
            assertFalse(source.isLive(), "an endless replay still waits to be read");
            final DpdkReceiveQueue queue = source.queues().get(0);
            queue.onStart();
            final PacketBurst burst = new PacketBurst(32);
            long received = 0;
            while (received < 3L * afs.packets()) {
                burst.clear();
                final int n = queue.poll(burst);
                assertTrue(n >= 0, "no end after " + received + " packets");
                source.memory().release(burst, 0, n);
                received += n;
            }
            assertFalse(source.details().containsKey("rx0-file-packets"), source.details().toString());
            queue.onStop();
        }
    }

    @Test
    void aFileCutShortEndsAfterItsCompleteRecords() throws IOException {
        final CaptureFiles.Count count = CaptureFiles.count(cut);
        assertFalse(count.complete(), "half of afs.pcap ends inside a record");
        try (DpdkSource source = open("net_pcap2", Map.of())) {
            final List<byte[]> frames = drain(source, source.queues().get(0), 32);
            assertFrames(CaptureFile.read(afs.path()).subList(0, (int) count.packets()), frames, "afs-cut.pcap");
            assertFalse(source.details().containsKey("rx0-file-packets"), "a damaged file is not counted");
            assertEquals(1L, source.details().get("ierrors"), "libpcap reported the cut once");
        }
    }

    @Test
    void aRecordLibpcapRefusesInTheMiddleCostsOneEmptyPollPerErrorAndTheQueueStillEnds() {
        try (DpdkSource source = open("net_pcap3", Map.of())) {
            // libpcap refuses the 300,000-byte record's header, then reads its data as 16-byte record
            // headers (each refused: caplen 0x05050505), then finds the last three records again. Each
            // refusal is an empty poll that raised ierrors, so the queue goes on; it ends after the last.
            final int errors = 1 + REFUSED_AT_SIX[5] / 16;
            final List<byte[]> frames = drain(source, source.queues().get(0), 32, errors + 2);
            assertEquals(REFUSED_AT_SIX.length - 1, frames.size(), "all but the refused record");
            for (int i = 0; i < frames.size(); i++) {
                final int record = i < 5 ? i : i + 1;
                final byte[] expected = new byte[REFUSED_AT_SIX[record]];
                Arrays.fill(expected, (byte) record);
                assertArrayEquals(expected, frames.get(i), "frame " + i);
            }
            assertEquals(9L, source.details().get("rx0-file-packets"), "the walk counts all nine records");
            assertEquals((long) errors, source.details().get("ierrors"));
        }
    }

    @Test
    void packetsLostForLackOfMbufsStillLetTheQueueEnd() {
        // 127 mbufs, no cache: holding 127 frames leaves net_pcap none, and each poll then loses one packet
        try (DpdkSource source = open("net_pcap4", Map.of("mbufs", 127, "mbuf-cache", 0, "rx-descriptors", 64))) {
            final DpdkReceiveQueue queue = source.queues().get(0);
            queue.onStart();
            final PacketBurst held = new PacketBurst(afs.packets());
            assertEquals(127, queue.poll(held), "the pool's worth");
            for (int i = 0; i < 3; i++) {
                assertEquals(0, queue.poll(held), "a poll that loses a packet for lack of mbufs is not the end");
            }
            final long lost = source.details().get("no-mbuf");
            assertEquals(4L, lost, "the one that stopped the first burst, then one per empty poll");
            source.memory().release(held, 0, held.size());
            final List<byte[]> rest = drain(source, queue, 32);
            assertEquals(afs.packets(), 127 + rest.size() + lost, "every record received or counted as no-mbuf");
            assertEquals(601L, source.details().get("rx0-file-packets"));
            assertEquals(0, source.mbufsInUse());
        }
    }

    @Test
    void liveOverridesWhetherAPortIsTreatedAsLive() {
        try (DpdkSource replayAsLive = open("net_pcap5", Map.of("live", true))) {
            assertTrue(replayAsLive.isLive(), "live = true on a replayed file");
            assertEquals(vrrp.packets(), drain(replayAsLive, replayAsLive.queues().get(0), 32).size(),
                    "a replayed file treated as live still ends");
        }
        try (DpdkSource auto = open("net_null0", Map.of())) {
            assertTrue(auto.isLive(), "live = auto: every port but a replayed file is live");
        }
        try (DpdkSource notLive = open("net_null1", Map.of("live", "false"))) {
            assertFalse(notLive.isLive(), "live = false");
        }
    }

    private static DpdkSource open(final String port, final Map<String, Object> overrides) {
        final Map<String, Object> settings = new HashMap<>(Map.of("port", port, "mbufs", 2047,
                "link-wait", "1s"));
        settings.putAll(overrides);
        return DpdkSource.open(TestConfigs.config(eal, settings));
    }

    /**
     * Polls {@code queue} until END_OF_INPUT, copying and releasing every frame. net_pcap reads files
     * synchronously, so every poll before the end delivers: more than two polls without packets fail.
     */
    static List<byte[]> drain(final DpdkSource source, final ReceiveQueue queue, final int room) {
        return drain(source, queue, room, 2);
    }

    /** {@link #drain(DpdkSource, ReceiveQueue, int)}, failing after more than {@code maxEmpty} empty polls in a row. */
    static List<byte[]> drain(final DpdkSource source, final ReceiveQueue queue, final int room, final int maxEmpty) {
        queue.onStart();
        final PacketBurst burst = new PacketBurst(room);
        final List<byte[]> frames = new ArrayList<>();
        int empty = 0;
        int n;
        while ((n = queue.poll(burst)) != ReceiveQueue.END_OF_INPUT) {
            empty = n == 0 ? empty + 1 : 0;
            assertTrue(empty <= maxEmpty, "no end after " + frames.size() + " frames and " + empty + " empty polls");
            for (int i = 0; i < n; i++) {
                frames.add(source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE));
            }
            source.memory().release(burst, 0, n);
            burst.clear();
        }
        assertEquals(ReceiveQueue.END_OF_INPUT, queue.poll(burst), "the end stays");
        queue.onStop();
        return frames;
    }

    static void assertFrames(final List<CaptureFile.Record> expected, final List<byte[]> frames, final String what) {
        assertEquals(expected.size(), frames.size(), what + " frames");
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(expected.get(i).data(), frames.get(i), what + " frame " + i);
        }
        assertNotEquals(0, frames.size(), what + " delivered nothing");
    }
}
