package dev.probe.source.pcap;

import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that are missing, empty, damaged at the start or cut short, as a user may hand them over. */
class DamagedCaptureTest {
    private static final String AFS = "afs.pcap";

    @TempDir
    Path dir;

    @Test
    void returnsEveryPacketBeforeACutInsidePacketDataThenFailsNamingTheFile() throws IOException {
        final byte[] original = Files.readAllBytes(SharedCaptures.entry(AFS).path());
        final int[] starts = pcapRecordStarts(original);
        final int captured = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getInt(starts[300] + 8);
        final Path file = write("cut-in-data.pcap", Arrays.copyOf(original, starts[300] + 16 + captured / 2));

        final Outcome outcome = readUntilFailure(file);

        assertPrefixOf(CaptureFile.read(SharedCaptures.entry(AFS).path()), outcome.packets, 300);
        assertOneLine(outcome.failure);
        assertTrue(outcome.failure.getMessage().startsWith("Capture file " + file + " is damaged after 300 packets: "
                + "truncated dump file; tried to read " + captured + " captured bytes, only got " + captured / 2),
                outcome.failure.getMessage());
    }

    @Test
    void returnsEveryPacketBeforeACutInsideARecordHeaderThenFailsNamingTheFile() throws IOException {
        final byte[] original = Files.readAllBytes(SharedCaptures.entry(AFS).path());
        final int[] starts = pcapRecordStarts(original);
        final Path file = write("cut-in-header.pcap", Arrays.copyOf(original, starts[12] + 3));

        final Outcome outcome = readUntilFailure(file);

        assertPrefixOf(CaptureFile.read(SharedCaptures.entry(AFS).path()), outcome.packets, 12);
        assertOneLine(outcome.failure);
        assertEquals("Capture file " + file + " is damaged after 12 packets: truncated dump file; tried to read 16 "
                + "header bytes, only got 3 (probe.source.pcap.file)", outcome.failure.getMessage());
    }

    @Test
    void returnsEveryPacketBeforeACutInsideAPcapngBlockThenFailsNamingTheFile() throws IOException {
        final Path source = SharedCaptures.entry("of13_ericsson.pcapng").path();
        final byte[] original = Files.readAllBytes(source);
        final Path file = write("cut.pcapng", Arrays.copyOf(original, original.length / 2));
        final int whole = CaptureFile.parse(Arrays.copyOf(original, lastPcapngBlockEnd(original, original.length / 2)))
                .size();

        final Outcome outcome = readUntilFailure(file);

        assertPrefixOf(CaptureFile.read(source), outcome.packets, whole);
        assertOneLine(outcome.failure);
        assertTrue(outcome.failure.getMessage().startsWith("Capture file " + file + " is damaged after " + whole
                + " packets: "), outcome.failure.getMessage());
        assertTrue(outcome.failure.getMessage().contains("truncated"), outcome.failure.getMessage());
    }

    @Test
    void keepsFailingAfterTheDamageInsteadOfReportingTheEnd() throws IOException {
        final byte[] original = Files.readAllBytes(SharedCaptures.entry(AFS).path());
        final Path file = write("cut.pcap", Arrays.copyOf(original, pcapRecordStarts(original)[2] + 5));
        try (CaptureSource source = Captures.openFile(file, "")) {
            final ProbeException first = assertThrows(ProbeException.class, () -> Captures.drain(source, 7));
            final ProbeException second = assertThrows(ProbeException.class,
                    () -> source.queues().getFirst().poll(new PacketBurst(7)));
            assertSame(first, second);
        }
    }

    @Test
    void failsAtOpenOnAGarbageHeaderNamingTheFileAndSetting() throws IOException {
        final byte[] bytes = Files.readAllBytes(SharedCaptures.entry(AFS).path());
        Arrays.fill(bytes, 0, 24, (byte) 0x5A);
        final Path file = write("garbage.pcap", bytes);

        final ProbeException e = assertThrows(ProbeException.class, () -> Captures.openFile(file, ""));

        assertOneLine(e);
        assertEquals("Cannot read capture file " + file + ": unknown file format (probe.source.pcap.file)", e.getMessage());
    }

    @Test
    void failsAtOpenOnAMissingFileNamingTheFileAndSetting() {
        final Path file = dir.resolve("no-such.pcap");

        final ProbeException e = assertThrows(ProbeException.class, () -> Captures.openFile(file, ""));

        assertEquals("Cannot read capture file " + file + ": no such file (probe.source.pcap.file)", e.getMessage());
    }

    @Test
    void failsAtOpenOnAZeroByteFileSayingItIsEmpty() throws IOException {
        final Path file = write("zero.pcap", new byte[0]);

        final ProbeException e = assertThrows(ProbeException.class, () -> Captures.openFile(file, ""));

        assertEquals("Cannot read capture file " + file + ": the file is empty (0 bytes), expected a pcap or pcapng "
                + "file (probe.source.pcap.file)", e.getMessage());
    }

    @Test
    void failsAtOpenOnADirectory() {
        final ProbeException e = assertThrows(ProbeException.class, () -> Captures.openFile(dir, ""));

        assertTrue(e.getMessage().startsWith("Cannot read capture file " + dir + ": it is a directory"), e.getMessage());
    }

    @Test
    void failsAtOpenOnAFileCutInsideItsHeader() throws IOException {
        final byte[] original = Files.readAllBytes(SharedCaptures.entry(AFS).path());
        final Path file = write("header-only.pcap", Arrays.copyOf(original, 10));

        final ProbeException e = assertThrows(ProbeException.class, () -> Captures.openFile(file, ""));

        assertOneLine(e);
        assertTrue(e.getMessage().startsWith("Cannot read capture file " + file + ": truncated dump file"), e.getMessage());
    }

    @Test
    void reportsTheEndAtOnceForAValidPcapngWithoutPackets() {
        try (CaptureSource source = Captures.openFile(SharedCaptures.entry("empty.pcapng").path(), "")) {
            final PacketBurst burst = new PacketBurst(7);

            assertEquals(ReceiveQueue.END_OF_INPUT, source.queues().getFirst().poll(burst));
            assertEquals(0, burst.size());
        }
    }

    @Test
    void closesTwiceWithoutError() {
        final CaptureSource source = Captures.openFile(SharedCaptures.entry("dns_udp_2.pcap").path(), "");
        source.close();
        source.close();
        assertThrows(IllegalStateException.class, () -> source.queues().getFirst().poll(new PacketBurst(1)));
    }

    private record Outcome(List<Captures.Packet> packets, ProbeException failure) {
    }

    /** Polls with bursts of 7, releasing as it goes, until the poll that throws. */
    private static Outcome readUntilFailure(final Path file) {
        final List<Captures.Packet> packets = new ArrayList<>();
        try (CaptureSource source = Captures.openFile(file, "")) {
            final PacketBurst burst = new PacketBurst(7);
            for (int polls = 0; polls < 100_000; polls++) {
                burst.clear();
                final int n;
                try {
                    n = source.queues().getFirst().poll(burst);
                } catch (ProbeException e) {
                    return new Outcome(packets, e);
                }
                assertFalse(n == ReceiveQueue.END_OF_INPUT, "reached the end of a damaged file without an error");
                for (int i = 0; i < n; i++) {
                    packets.add(Captures.copy(source, burst, i));
                }
                source.memory().release(burst, 0, n);
            }
        }
        throw new AssertionError("no error after 100000 polls");
    }

    private static void assertPrefixOf(final List<CaptureFile.Record> expected, final List<Captures.Packet> packets,
                                       final int count) {
        assertEquals(count, packets.size(), "packets before the damage");
        for (int i = 0; i < count; i++) {
            assertArrayEquals(expected.get(i).data(), packets.get(i).data(), "bytes of packet " + i);
            assertEquals(expected.get(i).timestampNanos(), packets.get(i).timestampNanos(), "time stamp of packet " + i);
        }
    }

    private static void assertOneLine(final ProbeException e) {
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }

    private Path write(final String name, final byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Offsets of the records of a little-endian classic pcap image. */
    private static int[] pcapRecordStarts(final byte[] image) {
        final ByteBuffer buffer = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xA1B2C3D4, buffer.getInt(0), "a little-endian microsecond pcap");
        final List<Integer> starts = new ArrayList<>();
        for (int at = 24; at < image.length; at += 16 + buffer.getInt(at + 8)) {
            starts.add(at);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** End of the last whole block at or before {@code limit} of a little-endian pcapng image. */
    private static int lastPcapngBlockEnd(final byte[] image, final int limit) {
        final ByteBuffer buffer = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (at + buffer.getInt(at + 4) <= limit) {
            at += buffer.getInt(at + 4);
        }
        return at;
    }
}
