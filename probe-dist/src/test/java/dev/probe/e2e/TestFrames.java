package dev.probe.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Capture files made in the tests of this package: Ethernet/IPv4/UDP or TCP frames in a classic pcap. */
final class TestFrames {
    /** Seconds of the first record. */
    static final long FIRST_SECONDS = 1_700_000_000L;

    private TestFrames() {
    }

    /** An Ethernet frame of IPv4 from 10.0.0.1 to 10.0.0.2, UDP 5000 to 53 or TCP 40000 to 80, payload by {@code i}. */
    static byte[] ethernet(final int i, final boolean udp) {
        final byte[] payload = ("packet " + i).getBytes(StandardCharsets.US_ASCII);
        final int l4 = udp ? 8 : 20;
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload.length)).putShort((short) i).putShort((short) 0)
                .put((byte) 64).put((byte) (udp ? 17 : 6)).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        if (udp) {
            b.putShort((short) 5000).putShort((short) 53).putShort((short) (8 + payload.length)).putShort((short) 0);
        } else {
            b.putShort((short) 40000).putShort((short) 80).putInt(i).putInt(0).put((byte) 0x50).put((byte) 0x10)
                    .putShort((short) 1024).putShort((short) 0).putShort((short) 0);
        }
        return b.put(payload).array();
    }

    /** A little-endian microsecond pcap of {@code linkType}, one record every millisecond from {@link #FIRST_SECONDS}. */
    static byte[] pcap(final int linkType, final List<byte[]> frames) {
        int size = 24;
        for (final byte[] f : frames) {
            size += 16 + f.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        for (int i = 0; i < frames.size(); i++) {
            b.putInt((int) (FIRST_SECONDS + i / 1000)).putInt(i % 1000 * 1000).putInt(frames.get(i).length)
                    .putInt(frames.get(i).length).put(frames.get(i));
        }
        return b.array();
    }
}
