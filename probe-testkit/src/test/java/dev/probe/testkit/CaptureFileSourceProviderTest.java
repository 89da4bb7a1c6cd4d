package dev.probe.testkit;

import com.typesafe.config.ConfigFactory;
import dev.probe.api.LinkType;
import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.spi.ReceiveQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kit's pure-Java capture source: what it hands out, what it reports, and how it polices packet memory. */
class CaptureFileSourceProviderTest {

    @Test
    void handsOutEveryRecordInOrderThenEndOfInput(@TempDir final Path dir) {
        final Path file = TestCaptures.mixed(dir);
        final List<CaptureFile.Record> records = CaptureFile.read(file);
        try (CaptureFileSourceProvider.CaptureFileSource source = new CaptureFileSourceProvider(file).open(ConfigFactory.empty())) {
            assertFalse(source.isLive());
            assertEquals(1, source.queues().size());
            final ReceiveQueue queue = source.queues().getFirst();
            final PacketBurst burst = new PacketBurst(100);
            int seen = 0;
            int n;
            while ((n = queue.poll(burst)) != ReceiveQueue.END_OF_INPUT) {
                for (int i = 0; i < n; i++, seen++) {
                    final CaptureFile.Record r = records.get(seen);
                    assertEquals(r.timestampNanos(), burst.timestampNanos(i));
                    assertEquals(r.capturedLength(), burst.capturedLength(i));
                    assertEquals(r.wireLength(), burst.wireLength(i));
                    assertArrayEquals(r.data(), source.memory().data(burst.handle(i), burst.capturedLength(i)).toArray(ValueLayout.JAVA_BYTE));
                }
                source.memory().release(burst, 0, n);
                burst.clear();
            }
            assertEquals(records.size(), seen);
            assertEquals(records.size(), source.released());
            assertEquals(0, source.held());
            assertEquals(List.of(), source.memoryErrors());
        }
    }

    @Test
    void reportsTheLinkTypeAndFirstTimeOfTheFile(@TempDir final Path dir) {
        final List<CaptureFile.Record> records = TestCaptures.mixedRecords(3, 1_600_000_000_123_456_789L);
        final Path raw = dir.resolve("raw.pcap");
        CaptureFile.writePcap(raw, LinkType.RAW, records);
        final CaptureFileSourceProvider.CaptureFileSource source = new CaptureFileSourceProvider(raw).open(ConfigFactory.empty());
        assertEquals(LinkType.RAW, source.linkType());
        assertEquals(1_600_000_000_123_456_789L, source.firstTimestampNanos().orElseThrow());
    }

    @Test
    void reportsTheLinkTypeOfASharedPcapngCapture() {
        final SharedCaptures.Entry entry = SharedCaptures.entry("OSPFv2_Capture_FINAL.pcapng");
        final CaptureFileSourceProvider.CaptureFileSource source = new CaptureFileSourceProvider(entry.path()).open(ConfigFactory.empty());
        assertEquals(Integer.parseInt(entry.linktype()), source.linkType());
        assertEquals(1_518_622_219_014_914_000L, source.firstTimestampNanos().orElseThrow());
    }

    @Test
    void poisonsReleasedPacketsAndRecordsADoubleRelease(@TempDir final Path dir) {
        final Path file = TestCaptures.mixed(dir);
        final CaptureFileSourceProvider.CaptureFileSource source = new CaptureFileSourceProvider(file).open(ConfigFactory.empty());
        final PacketBurst burst = new PacketBurst(2);
        assertEquals(2, source.queues().getFirst().poll(burst));
        final var kept = source.memory().data(burst.handle(0), burst.capturedLength(0));
        source.memory().release(burst, 0, 2);
        assertTrue(TestBatch.poisoned(kept.toArray(ValueLayout.JAVA_BYTE)), "a view kept past release reads poison");
        source.memory().release(burst, 0, 1);
        source.memory().data(burst.handle(1), burst.capturedLength(1));
        assertEquals(List.of("packet 0 released while already released", "packet 1 read while released"), source.memoryErrors());
    }

    @Test
    void aMissingFileIsAOneLineProbeException(@TempDir final Path dir) {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> new CaptureFileSourceProvider(dir.resolve("none.pcap")).open(ConfigFactory.empty()));
        assertTrue(e.getMessage().contains("none.pcap"), e.getMessage());
    }
}
