package dev.probe.source.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Capture files of link types other than Ethernet, made in the test: Linux cooked capture
 * ({@code LINKTYPE_LINUX_SLL}, what {@code tcpdump -i any} writes) and raw IP ({@code LINKTYPE_RAW}).
 */
final class CookedCaptures {
    /** Seconds of the first record. */
    static final long FIRST_SECONDS = 1_700_000_000L;

    private CookedCaptures() {
    }

    /** An IPv4 UDP datagram from 10.0.0.1:5000 to 10.0.0.{i+2}:53 with an {@code i}-dependent payload. */
    static byte[] udp(final int i) {
        final byte[] payload = ("datagram " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putShort((short) i).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, (byte) (i + 2)});
        b.putShort((short) 5000).putShort((short) 53).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /** {@code ip} behind a 16-byte Linux cooked header: sent by us, from Ethernet address 02:00:00:00:00:01. */
    static byte[] cooked(final byte[] ip) {
        final ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) 4).putShort((short) 1).putShort((short) 6)
                .put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0}).putShort((short) 0x0800).put(ip);
        return b.array();
    }

    /** The frames of {@link #file}: {@code count} UDP datagrams, cooked when {@code linkType} is 113. */
    static List<byte[]> frames(final int linkType, final int count) {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(linkType == 113 ? cooked(udp(i)) : udp(i));
        }
        return frames;
    }

    /** A little-endian microsecond pcap of link type {@code linkType}, one record a second from {@link #FIRST_SECONDS}. */
    static byte[] file(final int linkType, final List<byte[]> frames) {
        int size = 24;
        for (final byte[] f : frames) {
            size += 16 + f.length;
        }
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        for (int i = 0; i < frames.size(); i++) {
            b.putInt((int) (FIRST_SECONDS + i)).putInt(250_000).putInt(frames.get(i).length).putInt(frames.get(i).length)
                    .put(frames.get(i));
        }
        return b.array();
    }
}
