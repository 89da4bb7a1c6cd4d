package dev.probe.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CaptureFileTest {

    static List<SharedCaptures.Entry> captures() {
        return SharedCaptures.require();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void readsEveryManifestCaptureWithItsCountsAndDigest(final SharedCaptures.Entry entry) {
        final List<CaptureFile.Record> records = CaptureFile.read(entry.path());

        assertEquals(entry.packets(), records.size(), "packets");
        assertEquals(entry.truncated(), records.stream().filter(CaptureFile.Record::truncated).count(), "truncated");
        assertEquals(entry.bytes(), records.stream().mapToLong(CaptureFile.Record::capturedLength).sum(), "bytes");
        assertEquals(entry.maxCaplen(), records.stream().mapToInt(CaptureFile.Record::capturedLength).max().orElse(0));
        assertEquals(entry.framesSha256(), CaptureFile.recordsSha256(records), "frames_sha256");
    }

    @Test
    void keepsThePcapngTimeStampPast2106Exact() {
        final List<CaptureFile.Record> records = CaptureFile.read(SharedCaptures.entry("time_2106_overflow.pcapng").path());

        // 2106-02-07T06:28:16Z, 2^32 seconds: one second past what 32 unsigned bits of seconds can hold
        assertEquals(4_294_967_296_000_000_000L, records.getFirst().timestampNanos());
        assertEquals(4_294_967_296_000_000L, records.getFirst().timestampMicros());
    }

    @Test
    void readsTimeStampsOfBigEndianPcapAndOfPcapngAsTsharkShowsThem() {
        assertEquals(954_147_395_148_077_000L,
                CaptureFile.read(SharedCaptures.entry("pptp.pcap").path()).getFirst().timestampNanos());
        assertEquals(1_518_622_219_014_914_000L,
                CaptureFile.read(SharedCaptures.entry("OSPFv2_Capture_FINAL.pcapng").path()).getFirst().timestampNanos());
    }

    @Test
    void readsNanosecondBigEndianPcapWithUnsignedSeconds() {
        final ByteBuffer file = ByteBuffer.allocate(24 + 16 + 3).order(ByteOrder.BIG_ENDIAN);
        file.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        file.putInt(0xF000_0000).putInt(999_999_999).putInt(3).putInt(60).put(new byte[] {1, 2, 3});

        final CaptureFile.Record record = CaptureFile.parse(file.array()).getFirst();

        assertEquals(0xF000_0000L * 1_000_000_000L + 999_999_999L, record.timestampNanos());
        assertEquals(3, record.capturedLength());
        assertEquals(60, record.wireLength());
        assertArrayEquals(new byte[] {1, 2, 3}, record.data());
    }

    @Test
    void readsPcapngSectionsOfBothByteOrdersWithBinaryResolutionAndOldBlocks() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        // big-endian section: interface at 2^-20 s, an obsolete packet block and a simple packet block
        out.writeBytes(block(ByteOrder.BIG_ENDIAN, 0x0A0D0D0A, b -> b.putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1)));
        out.writeBytes(block(ByteOrder.BIG_ENDIAN, 1, b -> b.putShort((short) 1).putShort((short) 0).putInt(2)
                .putShort((short) 9).putShort((short) 1).put((byte) 0x94).put(new byte[3]).putInt(0)));
        out.writeBytes(block(ByteOrder.BIG_ENDIAN, 2, b -> b.putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt((5 << 20) | (1 << 19)).putInt(2).putInt(2).put(new byte[] {7, 8, 0, 0})));
        out.writeBytes(block(ByteOrder.BIG_ENDIAN, 3, b -> b.putInt(4).put(new byte[] {9, 10, 11, 12})));
        // little-endian section: default microseconds, an enhanced packet block
        out.writeBytes(block(ByteOrder.LITTLE_ENDIAN, 0x0A0D0D0A, b -> b.putInt(0x1A2B3C4D).putShort((short) 1)
                .putShort((short) 0).putLong(-1)));
        out.writeBytes(block(ByteOrder.LITTLE_ENDIAN, 1, b -> b.putShort((short) 1).putShort((short) 0).putInt(0)));
        out.writeBytes(block(ByteOrder.LITTLE_ENDIAN, 6, b -> b.putInt(0).putInt(1).putInt(5)
                .putInt(1).putInt(1).put(new byte[] {42, 0, 0, 0})));

        final List<CaptureFile.Record> records = CaptureFile.parse(out.toByteArray());

        assertEquals(3, records.size());
        assertEquals(5_500_000_000L, records.get(0).timestampNanos());
        assertArrayEquals(new byte[] {7, 8}, records.get(0).data());
        assertEquals(0, records.get(1).timestampNanos());
        assertArrayEquals(new byte[] {9, 10}, records.get(1).data(), "simple packet cut to the interface's snaplen");
        assertEquals(4, records.get(1).wireLength());
        assertEquals(((1L << 32) + 5) * 1_000L, records.get(2).timestampNanos());
        assertArrayEquals(new byte[] {42}, records.get(2).data());
    }

    @Test
    void rejectsATruncatedRecord() {
        final ByteBuffer file = ByteBuffer.allocate(24 + 16 + 1).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        file.putInt(1).putInt(0).putInt(3).putInt(3).put((byte) 1);

        assertThrows(IllegalArgumentException.class, () -> CaptureFile.parse(file.array()));
    }

    private interface Body {
        void write(ByteBuffer body);
    }

    private static byte[] block(final ByteOrder order, final int type, final Body body) {
        final ByteBuffer content = ByteBuffer.allocate(256).order(order);
        body.write(content);
        final int length = 12 + content.position();
        final ByteBuffer block = ByteBuffer.allocate(length).order(order);
        block.putInt(type).putInt(length).put(content.array(), 0, content.position()).putInt(length);
        return block.array();
    }
}
