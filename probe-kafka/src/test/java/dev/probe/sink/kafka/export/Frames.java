package dev.probe.sink.kafka.export;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Frames made in the test: Ethernet with IPv4 UDP or TCP, and Linux cooked captures of IPv4 UDP. */
final class Frames {
    private Frames() {
    }

    /** IPv4 from 10.0.0.1 to 10.0.0.{(i % 200) + 2}, UDP 5000 to 53 or TCP 40000 to 80, with an {@code i}-dependent payload. */
    static byte[] ip(final int i, final boolean udp) {
        final byte[] payload = ("packet " + i).getBytes(StandardCharsets.US_ASCII);
        final int l4 = udp ? 8 : 20;
        final ByteBuffer b = ByteBuffer.allocate(20 + l4 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload.length)).putShort((short) i).putShort((short) 0)
                .put((byte) 64).put((byte) (udp ? 17 : 6)).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, (byte) (i % 200 + 2)});
        if (udp) {
            b.putShort((short) 5000).putShort((short) 53).putShort((short) (8 + payload.length)).putShort((short) 0);
        } else {
            b.putShort((short) 40000).putShort((short) 80).putInt(i).putInt(0).put((byte) 0x50).put((byte) 0x10)
                    .putShort((short) 1024).putShort((short) 0).putShort((short) 0);
        }
        b.put(payload);
        return b.array();
    }

    /** {@link #ip} behind an Ethernet header. */
    static byte[] ethernet(final int i, final boolean udp) {
        final byte[] ip = ip(i, udp);
        final ByteBuffer b = ByteBuffer.allocate(14 + ip.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800).put(ip);
        return b.array();
    }

    /** {@link #ip} (UDP) behind a 16-byte Linux cooked (SLL) header: sent by this host from 02:00:00:00:00:01. */
    static byte[] cooked(final int i) {
        final byte[] ip = ip(i, true);
        final ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) 4).putShort((short) 1).putShort((short) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) 0x0800).put(ip);
        return b.array();
    }

    /** A {@code link-type} header value: 4-byte big-endian. */
    static byte[] linkType(final int linkType) {
        return ByteBuffer.allocate(4).putInt(linkType).array();
    }
}
