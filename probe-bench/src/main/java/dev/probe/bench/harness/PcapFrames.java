package dev.probe.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a classic pcap file of Ethernet/IPv4/UDP frames of one size, for a DPDK {@code net_pcap} device
 * with {@code infinite_rx=1} to replay from memory. The same arguments always give the same file name
 * and content, so every fork of a benchmark passes the EAL the same device arguments.
 */
public final class PcapFrames {
    private PcapFrames() {
    }

    /**
     * The frames the file of {@code count} frames of {@code size} bytes holds, in file order: each a
     * distinct Ethernet/IPv4/UDP frame (its UDP source port and payload differ).
     */
    public static List<byte[]> frames(final int count, final int size) {
        final List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final ByteBuffer f = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
            f.putInt(0x02000000).putShort((short) 2).putInt(0x02000000).putShort((short) 1).putShort((short) 0x0800);
            f.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putInt(0).put((byte) 64).put((byte) 17)
                    .putShort((short) 0).putInt(0x0a000001).putInt(0x0a000000 | (2 + i % 200));
            f.putShort((short) (1024 + i)).putShort((short) 4789).putShort((short) (size - 34)).putShort((short) 0);
            while (f.hasRemaining()) {
                f.put((byte) (i + f.position()));
            }
            frames.add(f.array());
        }
        return frames;
    }

    /** The file of {@code count} frames of {@code size} bytes in the temporary folder, written if missing. */
    public static Path ensure(final int count, final int size) {
        final Path file = Path.of(System.getProperty("java.io.tmpdir"), "probe-bench-" + count + "x" + size + ".pcap");
        if (Files.isRegularFile(file)) {
            return file;
        }
        final ByteBuffer b = ByteBuffer.allocate(24 + count * (16 + size)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        final List<byte[]> frames = frames(count, size);
        for (int i = 0; i < count; i++) {
            final byte[] frame = frames.get(i);
            b.putInt(1_700_000_000 + i / 1000).putInt(i % 1000 * 1000).putInt(size).putInt(size);
            b.put(frame);
        }
        try {
            final Path tmp = Files.createTempFile(file.getParent(), "probe-bench-", ".tmp");
            Files.write(tmp, b.array());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }
}
