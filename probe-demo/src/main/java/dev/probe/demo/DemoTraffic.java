package dev.probe.demo;

import dev.probe.api.LinkType;
import dev.probe.file.format.CaptureFormat;
import dev.probe.file.format.CaptureWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes the demo's traffic: a pcap of Ethernet frames from a few hundred IPv4 TCP and UDP flows and
 * some ICMP, with sizes from 60 bytes to jumbo frames and a few records truncated by a snap length, so
 * that the round trip exercises what a real link carries. Deterministic for a given seed.
 */
public final class DemoTraffic {
    /** Records in the generated file with captured length below wire length get this snap length. */
    static final int TRUNCATED_SNAPLEN = 128;

    private DemoTraffic() {
    }

    /**
     * Writes {@code packets} frames to {@code file}, 10 microseconds apart, ending now.
     *
     * @return a digest of the frames and their timestamps, to compare with what comes back
     */
    public static FrameDigest write(final Path file, final int packets, final long seed) throws IOException {
        final SplittableRandom random = new SplittableRandom(seed);
        final FrameDigest digest = new FrameDigest();
        long micros = System.currentTimeMillis() * 1000 - packets * 10L;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
             CaptureWriter writer = CaptureWriter.open(CaptureFormat.PCAP_MICROS, out, LinkType.ETHERNET)) {
            for (int i = 0; i < packets; i++) {
                final int flow = random.nextInt(400);
                final byte[] frame = frame(random, flow, i);
                final boolean truncate = frame.length > TRUNCATED_SNAPLEN && random.nextInt(200) == 0;
                final byte[] captured = truncate ? java.util.Arrays.copyOf(frame, TRUNCATED_SNAPLEN) : frame;
                writer.write(micros * 1_000L, frame.length, captured, 0, captured.length);
                digest.add(micros, captured, frame.length);
                micros += 10;
            }
        }
        return digest;
    }

    private static byte[] frame(final SplittableRandom random, final int flow, final int index) {
        final int kind = flow % 10; // 0-5 TCP, 6-8 UDP, 9 ICMP
        final int roll = random.nextInt(100);
        final int size = roll < 40 ? 60 + random.nextInt(40)
                : roll < 75 ? 100 + random.nextInt(500)
                : roll < 99 ? 1514
                : 9014;
        final ByteBuffer b = ByteBuffer.allocate(size);
        b.put(new byte[] {0x02, 0, 0, 0, (byte) (flow >> 8), (byte) flow});
        b.put(new byte[] {0x02, 0, 0, 1, (byte) (flow >> 8), (byte) flow});
        b.putShort((short) 0x0800);
        final int ipLength = size - 14;
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) index).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) (kind < 6 ? 6 : kind < 9 ? 17 : 1)).putShort((short) 0);
        b.putInt(0xc0a80000 | flow).putInt(0x0a000000 | (flow * 7 % 250 + 1));
        if (kind < 6) {
            b.putShort((short) (40000 + flow)).putShort((short) (kind < 3 ? 443 : 80));
            b.putInt(index).putInt(0).putShort((short) 0x5018).putShort((short) 65535).putInt(0);
        } else if (kind < 9) {
            b.putShort((short) (50000 + flow)).putShort((short) 53).putShort((short) (ipLength - 20)).putShort((short) 0);
        } else {
            b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) flow).putShort((short) index);
        }
        while (b.hasRemaining()) {
            b.put((byte) random.nextInt(256));
        }
        return b.array();
    }
}
