package dev.probe.source.dpdk;

import dev.probe.api.PacketBurst;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays every shared capture through a {@code net_pcap} port (one EAL, one vdev per file) and checks
 * that the DPDK source hands out exactly the file's frames, byte for byte, with frames above data-room
 * captured as their first segment and counted as oversize, then ends with END_OF_INPUT, and that every
 * mbuf returns to the pool.
 */
class SharedCapturesReplayTest {
    private static final int DATA_ROOM = 9216;
    private static List<SharedCaptures.Entry> entries;
    private static List<String> ealArgs;

    @BeforeAll
    static void startEal() {
        TestConfigs.requireDpdk();
        entries = SharedCaptures.require();
        final List<String> vdevs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            vdevs.add("net_pcap" + i + ",rx_pcap=" + entries.get(i).path());
        }
        ealArgs = TestConfigs.ealArgs("probe-test-replay", vdevs);
    }

    @TestFactory
    List<DynamicTest> everyCaptureIsReceivedByteExactThroughNetPcapThenEnds() {
        final List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            final int port = i;
            final SharedCaptures.Entry entry = entries.get(i);
            tests.add(DynamicTest.dynamicTest(entry.file(), () -> replay(port, entry)));
        }
        return tests;
    }

    private static void replay(final int port, final SharedCaptures.Entry entry) throws Exception {
        final List<CaptureFile.Record> records = CaptureFile.read(entry.path());
        assertEquals(entry.packets(), records.size(), "CaptureFile disagrees with the manifest");
        final DpdkSource source = DpdkSource.open(TestConfigs.config(ealArgs, Map.of(
                "port", "net_pcap" + port, "mbufs", 2047, "data-room", DATA_ROOM, "link-wait", "1s")));
        try {
            final DpdkReceiveQueue queue = source.queues().get(0);
            queue.onStart();
            final PacketBurst burst = new PacketBurst(32);
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            int received = 0;
            int oversize = 0;
            int polls = 0;
            // net_pcap reads its file synchronously: every poll before the end delivers, and the end takes
            // one empty poll. A queue that does not end fails here instead of hanging.
            final int pollLimit = entry.packets() / 32 + 3;
            int n;
            while ((n = queue.poll(burst)) != ReceiveQueue.END_OF_INPUT) {
                assertTrue(++polls <= pollLimit, entry.file() + ": no end after " + polls + " polls and " + received
                        + " packets");
                assertTrue(received + n <= entry.packets(), entry.file() + ": more packets than the file holds");
                for (int i = 0; i < n; i++) {
                    final CaptureFile.Record record = records.get(received + i);
                    final String what = entry.file() + " frame " + (received + i);
                    final byte[] bytes = source.memory().data(burst.handle(i), burst.capturedLength(i))
                            .toArray(ValueLayout.JAVA_BYTE);
                    sha.update(bytes);
                    if (record.capturedLength() <= DATA_ROOM) {
                        assertEquals(record.capturedLength(), burst.capturedLength(i), what + " captured length");
                        assertArrayEquals(record.data(), bytes, what + " bytes");
                        // net_pcap sets pkt_len to the record's captured length: the file's wire length is lost
                        assertEquals(record.capturedLength(), burst.wireLength(i), what + " wire length");
                    } else {
                        oversize++;
                        assertEquals(DATA_ROOM, burst.capturedLength(i), what + " captured length");
                        final byte[] prefix = new byte[DATA_ROOM];
                        System.arraycopy(record.data(), 0, prefix, 0, DATA_ROOM);
                        assertArrayEquals(prefix, bytes, what + " first segment");
                        // libpcap reads at most 65535 bytes of a record here, the rest of the chain is there
                        assertTrue(burst.wireLength(i) > DATA_ROOM
                                && burst.wireLength(i) <= record.capturedLength(), what + " wire length "
                                + burst.wireLength(i) + " for a record of " + record.capturedLength());
                    }
                    assertTrue(burst.timestampNanos(i) > 1_700_000_000_000_000_000L, what + " clock timestamp");
                }
                source.memory().release(burst, 0, n);
                burst.clear();
                received += n;
            }
            assertEquals(entry.packets(), received, entry.file() + " packets received");
            assertEquals(ReceiveQueue.END_OF_INPUT, queue.poll(burst), entry.file() + ": the end stays");
            assertEquals((long) entry.packets(), source.details().get("rx0-file-packets"), entry.file() + " counted");
            assertEquals((long) oversize, source.details().get("oversize"), entry.file() + " oversize counter");
            assertEquals((long) received, source.details().get("rx0-packets"), entry.file() + " rx0-packets");
            assertEquals((long) received, source.details().get("ipackets"), entry.file() + " ipackets");
            if (entry.maxCaplen() <= DATA_ROOM) {
                assertEquals(entry.framesSha256(), HexFormat.of().formatHex(sha.digest()), entry.file() + " frames_sha256");
            }
            assertEquals(source.mbufPoolSize(), source.mbufsAvailable(), entry.file() + ": pool full after release");
            assertEquals(0, source.mbufsInUse(), entry.file() + ": no mbuf in use after release");
        } finally {
            source.close();
        }
        source.close();
        assertEquals(0, source.mbufsAvailable(), "pool freed by close");
    }
}
