package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.testkit.NativeRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Linux cooked capture (DLT_LINUX_SLL, what {@code tcpdump -i any} writes) round-trips: the pcap source
 * reads it and reports link type 113, the Kafka sink carries it in the {@code link-type} header, export
 * writes it back as a pcap of link type 113, and tshark decodes the cooked header and what it carries.
 * Needs the Kafka sink's {@code link-type} header.
 */
class CookedCaptureRoundTripTest {
    @TempDir
    Path dir;

    /** IPv4 UDP from 10.0.0.1:5000 to 10.0.0.{i+2}:53 behind a cooked header: sent by us from 02:00:00:00:00:01. */
    private static byte[] cooked(final int i) {
        final byte[] payload = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer b = ByteBuffer.allocate(16 + 28 + payload.length);
        b.putShort((short) 4).putShort((short) 1).putShort((short) 6).put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0})
                .putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putShort((short) i).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, (byte) (i + 2)});
        b.putShort((short) 5000).putShort((short) 53).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        return b.array();
    }

    @Test
    void aCookedCaptureComesBackFromKafkaAsACookedCaptureThatTsharkDecodes() throws Exception {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            frames.add(cooked(i));
        }
        final Path capture = Files.write(dir.resolve("any.pcap"), TestFrames.pcap(113, frames));
        final Path back = dir.resolve("back.pcap");
        try (EmbeddedKafkaBroker broker = Probe.broker()) {
            broker.createTopic("cooked", 2);
            final Probe.Cli run = Probe.cli("run", "-r", capture.toString(), "-b", broker.bootstrapServers(),
                    "--topic", "cooked", "--set", "probe.stats.interval=0s");
            assertEquals(0, run.exit(), run.stderr());
            final Probe.Cli export = Probe.cli("export", "-b", broker.bootstrapServers(), "--topic", "cooked", "--sort",
                    "-w", back.toString());
            assertEquals(0, export.exit(), export.stderr());
            assertTrue(export.stderr().contains("exported 20 packets (linux-sll)"), export.stderr());
        }
        final byte[] pcap = Files.readAllBytes(back);
        final ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(113, b.getInt(20), "the exported file is a cooked capture");
        b.position(24);
        for (int i = 0; i < 20; i++) {
            b.position(b.position() + 8);
            final byte[] data = new byte[b.getInt()];
            b.getInt();
            b.get(data);
            assertArrayEquals(frames.get(i), data, "frame " + i + ", in capture-time order");
        }

        final Path tshark = Path.of("/usr/bin/tshark");
        NativeRequirement.require(Files.isExecutable(tshark), "tshark is not installed (Debian package tshark)");
        final Process p = new ProcessBuilder(tshark.toString(), "-r", back.toString(), "-T", "fields",
                "-e", "sll.pkttype", "-e", "sll.src.eth", "-e", "ip.dst", "-e", "udp.dstport")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        final List<String> lines = out.lines().toList();
        assertEquals(20, lines.size(), out);
        for (int i = 0; i < 20; i++) {
            assertEquals("4\t02:00:00:00:00:01\t10.0.0." + (i + 2) + "\t53", lines.get(i), "tshark's reading of packet " + i);
        }
    }
}
