package dev.probe.source.pcap;

import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every shared capture read through the provider, against the manifest and the independent reader. */
class SharedCaptureReplayTest {

    static List<SharedCaptures.Entry> captures() {
        return SharedCaptures.require();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void returnsEveryRecordOfTheCaptureByteExactWithItsTimeStampAndLengths(final SharedCaptures.Entry entry) {
        final List<CaptureFile.Record> expected = CaptureFile.read(entry.path());
        final List<Captures.Packet> packets;
        try (CaptureSource source = Captures.openFile(entry.path(), "")) {
            assertEquals("pcap file " + entry.path().toAbsolutePath().normalize(), source.description());
            assertEquals(1, source.queues().size());
            packets = Captures.drain(source, 7);
            assertEquals(ReceiveQueue.END_OF_INPUT, source.queues().getFirst().poll(new dev.probe.api.PacketBurst(7)),
                    "stays at the end");
            assertEquals(Map.of(), source.drops());
            assertEquals(0L, source.details().get("held"), "every packet was released");
        }

        assertEquals(entry.packets(), packets.size(), "packets");
        assertEquals(entry.framesSha256(), CaptureFile.framesSha256(packets.stream().map(Captures.Packet::data).toList()),
                "frames_sha256");
        assertEquals(entry.truncated(), packets.stream().filter(p -> p.capturedLength() < p.wireLength()).count(),
                "truncated");
        for (int i = 0; i < packets.size(); i++) {
            final Captures.Packet packet = packets.get(i);
            final CaptureFile.Record record = expected.get(i);
            assertEquals(record.timestampNanos(), packet.timestampNanos(), "time stamp of packet " + i);
            assertEquals(record.capturedLength(), packet.capturedLength(), "captured length of packet " + i);
            assertEquals(record.wireLength(), packet.wireLength(), "wire length of packet " + i);
            assertArrayEquals(record.data(), packet.data(), "bytes of packet " + i);
        }
    }
}
