package dev.probe.source.pcap;

import dev.probe.spi.CaptureSource;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Time stamps that 32 bits of seconds, or a signed reading of them, would get wrong. */
class TimeStampTest {

    @Test
    void returnsThePcapngTimeStampPast2106Exactly() {
        final Path file = SharedCaptures.entry("time_2106_overflow.pcapng").path();
        final List<Captures.Packet> packets;
        try (CaptureSource source = Captures.openFile(file, "")) {
            packets = Captures.drain(source, 7);
        }

        // 2^32 s: 2106-02-07T06:28:16Z, as tshark shows it
        assertEquals(4_294_967_296_000_000_000L, packets.getFirst().timestampNanos());
    }

    @Test
    void readsClassicPcapSecondsAsUnsignedPast2038(@TempDir final Path dir) throws IOException {
        final ByteBuffer image = ByteBuffer.allocate(24 + 2 * (16 + 4)).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        image.putInt(0x8000_0000).putInt(123_456_789).putInt(4).putInt(60).putInt(0x0102_0304);
        image.putInt(0xFFFF_FFFF).putInt(999_999_999).putInt(4).putInt(4).putInt(0x0506_0708);
        final Path file = Files.write(dir.resolve("after-2038.pcap"), image.array());

        final List<Captures.Packet> packets;
        try (CaptureSource source = Captures.openFile(file, "")) {
            packets = Captures.drain(source, 7);
        }

        final List<CaptureFile.Record> expected = CaptureFile.read(file);
        assertEquals(0x8000_0000L * 1_000_000_000L + 123_456_789L, packets.get(0).timestampNanos(), "2038-01-19");
        assertEquals(expected.get(0).timestampNanos(), packets.get(0).timestampNanos());
        assertEquals(0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L, packets.get(1).timestampNanos(), "2106-02-07");
        assertEquals(expected.get(1).timestampNanos(), packets.get(1).timestampNanos());
    }
}
