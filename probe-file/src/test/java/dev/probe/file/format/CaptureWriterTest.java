package dev.probe.file.format;

import dev.probe.api.LinkType;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.TestBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writers produce files an independent reader (the test kit's {@link CaptureFile}) reads back
 * exactly: time stamps to the nanosecond (microsecond for {@link CaptureFormat#PCAP_MICROS}), captured
 * bytes and wire lengths, headers with the given link type, records larger than the buffer, and the
 * accounting a sink relies on when the channel fails.
 */
class CaptureWriterTest {
    /** 2024-02-29T12:34:56.123456789Z. */
    private static final long T0 = 1_709_210_096_123_456_789L;

    @TempDir
    Path dir;

    private record Packet(long timestampNanos, byte[] data, int wireLength) {
    }

    /** Frames of many sizes, some truncated, one of 5000 bytes: larger than the 1 KiB buffer used below. */
    private static List<Packet> packets() {
        final List<Packet> packets = new ArrayList<>();
        final int[] sizes = {60, 61, 62, 63, 64, 0, 1, 1514, 5000, 100, 9000, 3};
        for (int i = 0; i < sizes.length; i++) {
            final byte[] data = TestBatch.frame(sizes[i], i);
            packets.add(new Packet(T0 + i * 1_000_000_007L, data, i % 3 == 0 ? sizes[i] + 40 : sizes[i]));
        }
        return packets;
    }

    private Path write(final CaptureFormat format, final List<Packet> packets, final int linkType) throws IOException {
        final Path file = dir.resolve("out." + format.extension());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final CaptureWriter writer = CaptureWriter.open(format, channel, ByteBuffer.allocateDirect(1024), linkType,
                    CaptureWriter.MAX_SNAPLEN);
            for (final Packet p : packets) {
                writer.write(p.timestampNanos(), p.wireLength(), p.data(), 0, p.data().length);
            }
            writer.close();
            assertEquals(packets.size(), writer.recordsWritten());
            assertEquals(Files.size(file), writer.bytesWritten(), "bytesWritten is the file's size once closed");
            assertEquals(0, writer.bufferedRecords());
        }
        return file;
    }

    private static void assertSame(final List<Packet> expected, final List<CaptureFile.Record> actual, final boolean micros) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int i = 0; i < expected.size(); i++) {
            final Packet p = expected.get(i);
            final CaptureFile.Record r = actual.get(i);
            assertEquals(micros ? p.timestampNanos() / 1_000 * 1_000 : p.timestampNanos(), r.timestampNanos(), "time of " + i);
            assertArrayEquals(p.data(), r.data(), "bytes of " + i);
            assertEquals(p.wireLength(), r.wireLength(), "wire length of " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(CaptureFormat.class)
    void recordsOfEverySizeReadBackExactly(final CaptureFormat format) throws IOException {
        final List<Packet> packets = packets();
        final Path file = write(format, packets, LinkType.ETHERNET);
        assertSame(packets, CaptureFile.read(file), format == CaptureFormat.PCAP_MICROS);
        long expectedSize = format.headerLength();
        for (final Packet p : packets) {
            expectedSize += format.recordLength(p.data().length);
        }
        assertEquals(expectedSize, Files.size(file), "headerLength and recordLength describe the file exactly");
    }

    @Test
    void pcapHeadersCarryTheMagicOfTheirResolutionAndTheLinkType() throws IOException {
        final ByteBuffer nanos = header(write(CaptureFormat.PCAP, packets(), LinkType.LINUX_SLL));
        assertEquals(0xa1b23c4d, nanos.getInt(0));
        assertEquals(2, nanos.getShort(4));
        assertEquals(4, nanos.getShort(6));
        assertEquals(CaptureWriter.MAX_SNAPLEN, nanos.getInt(16));
        assertEquals(LinkType.LINUX_SLL, nanos.getInt(20));
        Files.delete(dir.resolve("out.pcap"));
        assertEquals(0xa1b2c3d4, header(write(CaptureFormat.PCAP_MICROS, packets(), LinkType.RAW)).getInt(0));
    }

    @Test
    void pcapngHasASectionAndAnInterfaceWithNanosecondResolutionAndTheLinkType() throws IOException {
        final ByteBuffer b = header(write(CaptureFormat.PCAPNG, packets(), LinkType.RAW));
        assertEquals(0x0A0D0D0A, b.getInt(0));
        final int shbLength = b.getInt(4);
        assertEquals(0x1A2B3C4D, b.getInt(8));
        assertEquals(shbLength, b.getInt(shbLength - 4), "trailing length of the section header");
        assertEquals(1, b.getInt(shbLength), "an interface description block follows");
        final int idbLength = b.getInt(shbLength + 4);
        assertEquals(LinkType.RAW, b.getShort(shbLength + 8));
        assertEquals(CaptureWriter.MAX_SNAPLEN, b.getInt(shbLength + 12));
        assertEquals(9, b.getShort(shbLength + 16), "first option: if_tsresol");
        assertEquals(1, b.getShort(shbLength + 18));
        assertEquals(9, b.get(shbLength + 20), "10^-9 s: nanoseconds");
        assertEquals(CaptureFormat.PCAPNG.headerLength(), shbLength + idbLength);
        assertEquals(6, b.getInt(shbLength + idbLength), "then enhanced packet blocks");
    }

    private static ByteBuffer header(final Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @ParameterizedTest
    @EnumSource(CaptureFormat.class)
    void aStreamWriterFlushesTheStreamAndLeavesItOpen(final CaptureFormat format) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                throw new AssertionError("the writer closed the stream");
            }
        };
        final List<Packet> packets = packets();
        final CaptureWriter writer = CaptureWriter.open(format, out, LinkType.ETHERNET);
        for (final Packet p : packets) {
            writer.write(p.timestampNanos(), p.wireLength(), java.lang.foreign.MemorySegment.ofArray(p.data()));
        }
        assertEquals(0, out.size(), "buffered until flushed");
        writer.flush();
        assertSame(packets, CaptureFile.parse(out.toByteArray()), format == CaptureFormat.PCAP_MICROS);
        writer.close();
    }

    @Test
    void packetsOfABatchAreCopiedBeforeTheBatchIsReleased() throws IOException {
        final List<Packet> packets = packets();
        final TestBatch batch = new TestBatch();
        packets.forEach(p -> batch.add(p.timestampNanos(), p.data(), p.wireLength()));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CaptureWriter writer = CaptureWriter.open(CaptureFormat.PCAPNG, out, LinkType.ETHERNET);
        for (int i = 0; i < batch.size(); i++) {
            writer.write(batch, i);
        }
        batch.release();
        writer.close();
        assertSame(packets, CaptureFile.parse(out.toByteArray()), false);
    }

    @Test
    void timeStampsOutsideAFormatsRangeAreRefusedAndTheWriterStaysUsable() throws IOException {
        final long year2106 = (1L << 32) * 1_000_000_000L;
        assertTrue(CaptureFormat.PCAP.accepts(year2106 - 1));
        assertFalse(CaptureFormat.PCAP.accepts(year2106));
        assertFalse(CaptureFormat.PCAP_MICROS.accepts(year2106));
        assertTrue(CaptureFormat.PCAPNG.accepts(year2106));
        assertTrue(CaptureFormat.PCAPNG.accepts(Long.MAX_VALUE));
        for (final CaptureFormat f : CaptureFormat.values()) {
            assertFalse(f.accepts(-1), f + " before 1970");
        }

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CaptureWriter writer = CaptureWriter.open(CaptureFormat.PCAP, out, LinkType.ETHERNET);
        final byte[] frame = TestBatch.frame(60, 1);
        assertThrows(IllegalArgumentException.class, () -> writer.write(year2106, 60, frame, 0, 60));
        writer.write(year2106 - 1, 60, frame, 0, 60);
        writer.close();
        final List<CaptureFile.Record> records = CaptureFile.parse(out.toByteArray());
        assertEquals(1, records.size());
        assertEquals(year2106 - 1, records.get(0).timestampNanos(), "2106-02-07T06:28:15.999999999Z, unsigned seconds");
    }

    /** A channel that accepts {@code limit} bytes, then fails like a full disk, after a short write. */
    private static final class FillingChannel implements WritableByteChannel {
        final ByteArrayOutputStream accepted = new ByteArrayOutputStream();
        private final int limit;

        FillingChannel(final int limit) {
            this.limit = limit;
        }

        @Override
        public int write(final ByteBuffer src) throws IOException {
            final int room = limit - accepted.size();
            if (room <= 0) {
                throw new IOException("No space left on device");
            }
            final int n = Math.min(room, src.remaining());
            final byte[] bytes = new byte[n];
            src.get(bytes);
            accepted.writeBytes(bytes);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @ParameterizedTest
    @EnumSource(CaptureFormat.class)
    void whenTheChannelFailsWhatWasWrittenWholeIsCountedAndTheRestIsKnown(final CaptureFormat format) throws IOException {
        final List<Packet> packets = packets();
        for (int limit = 0; limit < 20_000; limit += 337) {
            final FillingChannel channel = new FillingChannel(limit);
            final CaptureWriter writer = CaptureWriter.open(format, channel, ByteBuffer.allocateDirect(1024),
                    LinkType.ETHERNET, CaptureWriter.MAX_SNAPLEN);
            int handed = 0;
            boolean failed = false;
            try {
                for (final Packet p : packets) {
                    writer.write(p.timestampNanos(), p.wireLength(), p.data(), 0, p.data().length);
                    handed++;
                }
                writer.flush();
            } catch (IOException e) {
                failed = true;
                // A failed write() loses the buffered records and its own; a failed flush() the buffered ones.
                final int given = handed < packets.size() ? handed + 1 : handed;
                assertEquals(given, writer.recordsWritten() + writer.bufferedRecords() + (given - handed),
                        "limit " + limit + ": every record given is either written or lost, never both");
                assertThrows(IllegalStateException.class, () -> writer.write(T0, 60, new byte[60], 0, 60),
                        "a failed writer refuses further records");
            }
            final byte[] accepted = channel.accepted.toByteArray();
            final long whole = writer.bytesWritten();
            assertTrue(whole <= accepted.length, "bytesWritten never exceeds what the channel took");
            if (writer.recordsWritten() > 0) {
                final byte[] cut = java.util.Arrays.copyOf(accepted, (int) whole);
                final List<CaptureFile.Record> records = CaptureFile.parse(cut);
                assertEquals(writer.recordsWritten(), records.size(), "cut at bytesWritten: whole records only");
                assertSame(packets.subList(0, records.size()), records, format == CaptureFormat.PCAP_MICROS);
            }
            if (!failed) {
                assertEquals(packets.size(), writer.recordsWritten());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CaptureFormat.class)
    void recoveryFindsTheWholeRecordsOfAFileCutAnywhere(final CaptureFormat format) throws IOException {
        final List<Packet> packets = packets().subList(0, 6);
        final byte[] full = Files.readAllBytes(write(format, packets, LinkType.ETHERNET));
        final List<Long> ends = new ArrayList<>();
        long end = format.headerLength();
        ends.add(end);
        for (final Packet p : packets) {
            end += format.recordLength(p.data().length);
            ends.add(end);
        }
        final Path cut = dir.resolve("cut");
        for (int length = 0; length <= full.length; length++) {
            Files.write(cut, java.util.Arrays.copyOf(full, length));
            try (FileChannel channel = FileChannel.open(cut, StandardOpenOption.READ)) {
                final CaptureRecovery.Whole whole = CaptureRecovery.whole(channel);
                int records = -1;
                long expected = 0;
                for (int r = 0; r < ends.size() && ends.get(r) <= length; r++) {
                    records = r;
                    expected = ends.get(r);
                }
                assertEquals(Math.max(records, 0), whole.records(), "records in a file cut at " + length);
                assertEquals(records < 0 ? 0 : expected, whole.length(), "whole length of a file cut at " + length);
            }
        }
    }

    @Test
    void writingAllocatesNothingPerPacket() throws IOException {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!(threads instanceof com.sun.management.ThreadMXBean counting) || !counting.isThreadAllocatedMemorySupported()) {
            dev.probe.testkit.NativeRequirement.skipOrFail("this JVM does not count allocated bytes per thread");
            return;
        }
        final byte[] frame = TestBatch.frame(64, 7);
        final java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(TestBatch.frame(1500, 9));
        final WritableByteChannel nowhere = new WritableByteChannel() {
            @Override
            public int write(final ByteBuffer src) {
                final int n = src.remaining();
                src.position(src.limit());
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        for (final CaptureFormat format : CaptureFormat.values()) {
            final CaptureWriter writer = CaptureWriter.open(format, nowhere, ByteBuffer.allocateDirect(1 << 16),
                    LinkType.ETHERNET, CaptureWriter.MAX_SNAPLEN);
            final int packets = 200_000;
            for (int i = 0; i < packets; i++) {     // warm up
                writer.write(T0 + i, 64, frame, 0, frame.length);
                writer.write(T0 + i, 1500, segment);
            }
            final long before = counting.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < packets; i++) {
                writer.write(T0 + i, 64, frame, 0, frame.length);
                writer.write(T0 + i, 1500, segment);
            }
            final long allocated = counting.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 64 * 1024, format + ": " + allocated + " bytes allocated for " + 2 * packets + " packets");
        }
    }
}
