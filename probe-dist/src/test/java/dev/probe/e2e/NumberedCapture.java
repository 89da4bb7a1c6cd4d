package dev.probe.e2e;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A pcap file of numbered Ethernet frames written for a test, large enough that a replay lasts while
 * the test acts on the broker: frame {@code n} is captured at {@code startMicros + n} and carries
 * {@code n} in its payload, so every record in a topic tells which frame it is, and whether its key and
 * value are exactly what was captured.
 *
 * @param file the pcap file
 * @param packets how many frames it holds
 * @param startMicros the capture time of frame 0, in microseconds since the epoch
 */
record NumberedCapture(Path file, int packets, long startMicros) {
    /** Bytes of every frame. */
    static final int FRAME = 64;

    /** Writes {@code packets} frames to {@code file}, the first captured at {@code startMicros}. */
    static NumberedCapture write(final Path file, final int packets, final long startMicros) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(header.array());
            final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            for (int n = 0; n < packets; n++) {
                final long micros = startMicros + n;
                record.clear();
                record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(FRAME).putInt(FRAME);
                out.write(record.array());
                out.write(frame(n));
            }
        }
        return new NumberedCapture(file, packets, startMicros);
    }

    /** The bytes of frame {@code n}: Ethernet/IPv4 headers, then {@code n} big-endian, then a pattern of {@code n}. */
    static byte[] frame(final int n) {
        final ByteBuffer f = ByteBuffer.allocate(FRAME);
        f.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        f.putLong(n);
        while (f.hasRemaining()) {
            f.put((byte) (n * 31 + f.position()));
        }
        return f.array();
    }

    /**
     * Which frame a record with this key and value is, or -1 when it is none of them (a wrong key, a
     * corrupted or foreign value).
     */
    int frameOf(final long keyMicros, final byte[] value) {
        final long n = keyMicros - startMicros;
        if (n < 0 || n >= packets || value == null || !Arrays.equals(value, frame((int) n))) {
            return -1;
        }
        return (int) n;
    }
}
