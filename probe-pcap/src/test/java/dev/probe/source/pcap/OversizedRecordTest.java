package dev.probe.source.pcap;

import dev.probe.spi.CaptureSource;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records longer than the file header's snaplen, which libpcap alone would cut to the snaplen. */
class OversizedRecordTest {
    private static final Path PIM = SharedCaptures.entry("pim-packet-assortment.pcap").path();

    @Test
    void returnsRecordsLongerThanTheFileSnaplenWholeEvenWhenAFilterSkipsRecordsBeforeThem() {
        final List<CaptureFile.Record> expected = CaptureFile.read(PIM).stream()
                .filter(r -> r.capturedLength() > 65_535).toList();
        assertEquals(2, expected.size(), "the file has two records above its snaplen of 65535");

        final List<Captures.Packet> packets;
        try (CaptureSource source = Captures.openFile(PIM, "probe.source.pcap.filter = \"greater 65536\"")) {
            packets = Captures.drain(source, 7);
        }

        assertEquals(2, packets.size());
        for (int i = 0; i < 2; i++) {
            assertTrue(packets.get(i).capturedLength() > 65_535);
            assertEquals(expected.get(i).capturedLength(), packets.get(i).capturedLength());
            assertEquals(expected.get(i).wireLength(), packets.get(i).wireLength());
            assertEquals(expected.get(i).timestampNanos(), packets.get(i).timestampNanos());
            assertArrayEquals(expected.get(i).data(), packets.get(i).data());
        }
    }
}
