package dev.probe.source.dpdk;

import dev.probe.source.dpdk.internal.CaptureFiles;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure-Java walk of pcap and pcapng files that tells a replayed port where its file ends; no DPDK. */
class CaptureFilesTest {

    @TempDir
    Path dir;

    @TestFactory
    List<DynamicTest> everySharedCaptureCountsTheManifestsPackets() {
        return SharedCaptures.require().stream().map(e -> DynamicTest.dynamicTest(e.file(), () -> {
            assertNull(CaptureFiles.problem(e.path()), e.file());
            assertEquals(new CaptureFiles.Count(e.packets(), null), CaptureFiles.count(e.path()), e.file());
        })).toList();
    }

    @Test
    void pcapInBothByteOrdersAndAllThreeMagicsIsCounted() throws IOException {
        for (final ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (final int magic : new int[] {0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34}) {
                final Path file = write(pcap(order, magic, 60, 1514, 0, 70_000));
                assertEquals(new CaptureFiles.Count(4, null), CaptureFiles.count(file), order + " " + Integer.toHexString(magic));
            }
        }
        assertEquals(new CaptureFiles.Count(0, null), CaptureFiles.count(write(pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4))));
    }

    @Test
    void aPcapCutShortCountsItsCompleteRecordsAndSaysWhere() throws IOException {
        final byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 100, 200, 300);
        // in the third record's data
        CaptureFiles.Count count = CaptureFiles.count(write(Arrays.copyOf(whole, whole.length - 10)));
        assertEquals(2, count.packets());
        assertTrue(count.damage().contains("record of 300 bytes cut short after 2 packets"), count.damage());
        // in the third record's header
        count = CaptureFiles.count(write(Arrays.copyOf(whole, 24 + 16 + 100 + 16 + 200 + 7)));
        assertEquals(new CaptureFiles.Count(2, "record header cut short after 2 packets"), count);
    }

    @Test
    void pcapngCountsEnhancedSimpleAndObsoletePacketBlocksInBothByteOrdersAndSections() throws IOException {
        for (final ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(shb(order));
            out.writeBytes(idb(order));
            out.writeBytes(epb(order, 0, 60));
            out.writeBytes(block(order, 4, new byte[12])); // name resolution: no packet
            out.writeBytes(spb(order, 61));
            out.writeBytes(pb(order, 0, 62));
            out.writeBytes(block(order, 5, new byte[20])); // interface statistics: no packet
            final ByteOrder other = order == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            out.writeBytes(shb(other));
            out.writeBytes(idb(other));
            out.writeBytes(idb(other));
            out.writeBytes(epb(other, 1, 1514));
            assertEquals(new CaptureFiles.Count(4, null), CaptureFiles.count(write(out.toByteArray())), order.toString());
        }
    }

    @Test
    void pcapngDamageAfterTheFirstInterfaceEndsTheCount() throws IOException {
        final ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        final byte[] head = concat(shb(le), idb(le), epb(le, 0, 60), epb(le, 0, 61));
        final byte[] third = epb(le, 0, 62);
        CaptureFiles.Count count = CaptureFiles.count(write(concat(head, Arrays.copyOf(third, third.length - 4))));
        assertEquals(2, count.packets());
        assertTrue(count.damage().startsWith("block of " + third.length + " bytes cut short"), count.damage());
        final byte[] badTrailer = third.clone();
        ByteBuffer.wrap(badTrailer).order(le).putInt(badTrailer.length - 4, badTrailer.length + 4);
        count = CaptureFiles.count(write(concat(head, badTrailer)));
        assertEquals(2, count.packets());
        assertTrue(count.damage().contains("trailing length"), count.damage());
        count = CaptureFiles.count(write(concat(head, epb(le, 3, 60))));
        assertEquals(new CaptureFiles.Count(2, "packet block of interface 3 of 1 described after 2 packets"), count);
    }

    @Test
    void filesLibpcapWouldNotOpenAreNamedWithTheReason() throws IOException {
        assertEquals("does not exist", CaptureFiles.problem(dir.resolve("absent.pcap")));
        assertEquals("is not a pcap or pcapng file (magic 7f454c46)",
                CaptureFiles.problem(write(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0})));
        assertEquals("is too short for a capture file (2 bytes)", CaptureFiles.problem(write(new byte[] {1, 2})));
        assertEquals("is a pcap file cut short in its 24-byte header",
                CaptureFiles.problem(write(Arrays.copyOf(pcap(ByteOrder.BIG_ENDIAN, 0xA1B2C3D4), 20))));
        final byte[] v3 = pcap(ByteOrder.BIG_ENDIAN, 0xA1B2C3D4);
        v3[5] = 3;
        assertEquals("is a pcap file of version 3.4, which libpcap does not read", CaptureFiles.problem(write(v3)));
        final ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        assertEquals("is a pcapng file without an interface description block", CaptureFiles.problem(write(shb(le))));
        final Path packetFirst = write(concat(shb(le), epb(le, 0, 60), idb(le)));
        assertTrue(CaptureFiles.problem(packetFirst).startsWith("is a pcapng file libpcap cannot open: packet block"),
                CaptureFiles.problem(packetFirst));
        assertThrows(CaptureFiles.NotACaptureFile.class, () -> CaptureFiles.count(packetFirst));
        assertNull(CaptureFiles.problem(write(concat(shb(le), idb(le)))));
    }

    private Path write(final byte[] bytes) throws IOException {
        final Path file = Files.createTempFile(dir, "capture", ".bin");
        Files.write(file, bytes);
        return file;
    }

    /** A pcap file with one record per length, each filled with its index. */
    static byte[] pcap(final ByteOrder order, final int magic, final int... lengths) {
        final int header = magic == 0xA1B2CD34 ? 24 : 16;
        final ByteBuffer b = ByteBuffer.allocate(24 + Arrays.stream(lengths).map(l -> header + l).sum()).order(order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        for (int i = 0; i < lengths.length; i++) {
            b.putInt(1_700_000_000 + i).putInt(0).putInt(lengths[i]).putInt(lengths[i]);
            b.position(b.position() + header - 16);
            Arrays.fill(b.array(), b.position(), b.position() + lengths[i], (byte) i);
            b.position(b.position() + lengths[i]);
        }
        return b.array();
    }

    static byte[] block(final ByteOrder order, final int type, final byte[] body) {
        final int length = 12 + (body.length + 3) / 4 * 4;
        final ByteBuffer b = ByteBuffer.allocate(length).order(order);
        b.putInt(type).putInt(length).put(body);
        b.putInt(length - 4, length);
        return b.array();
    }

    static byte[] shb(final ByteOrder order) {
        return block(order, 0x0A0D0D0A, ByteBuffer.allocate(16).order(order).putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1).array());
    }

    static byte[] idb(final ByteOrder order) {
        return block(order, 1, ByteBuffer.allocate(8).order(order).putShort((short) 1).putShort((short) 0)
                .putInt(262144).array());
    }

    static byte[] epb(final ByteOrder order, final int iface, final int length) {
        final ByteBuffer body = ByteBuffer.allocate(20 + length).order(order);
        body.putInt(iface).putInt(0).putInt(1).putInt(length).putInt(length);
        return block(order, 6, body.array());
    }

    static byte[] spb(final ByteOrder order, final int length) {
        return block(order, 3, ByteBuffer.allocate(4 + length).order(order).putInt(length).array());
    }

    static byte[] pb(final ByteOrder order, final int iface, final int length) {
        final ByteBuffer body = ByteBuffer.allocate(20 + length).order(order);
        body.putShort((short) iface).putShort((short) 0).putInt(0).putInt(1).putInt(length).putInt(length);
        return block(order, 2, body.array());
    }

    static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
