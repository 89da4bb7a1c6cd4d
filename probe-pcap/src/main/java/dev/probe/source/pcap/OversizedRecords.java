package dev.probe.source.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Restores classic pcap records that libpcap cuts short. libpcap hands out at most the file header's
 * snaplen bytes of a record and skips the rest, although the file holds them all (pim-packet-assortment.pcap
 * has 65,589-byte records under a snaplen of 65,535). When a record comes back with exactly the snaplen
 * and a longer wire length, this class finds it in the file and reads its true length and, when libpcap
 * cut it, its bytes.
 *
 * <p>Records are located by walking their 16- or 24-byte headers forward from the last one found up to
 * where libpcap's stream stands after the record, so a BPF filter that skips records does not matter and
 * the whole file is walked at most once. Confined to the receive worker.
 */
final class OversizedRecords implements AutoCloseable {
    private static final int FILE_HEADER = 24;

    private final Path file;
    private final FileChannel channel;
    private final int recordHeader;
    private final ByteBuffer header;
    private long next = FILE_HEADER;

    private OversizedRecords(final Path file, final FileChannel channel, final ByteOrder order, final int recordHeader) {
        this.file = file;
        this.channel = channel;
        this.recordHeader = recordHeader;
        this.header = ByteBuffer.allocate(16).order(order);
    }

    /** For a classic pcap file, or null when {@code file} is not one (pcapng, or not a capture). */
    static OversizedRecords forFile(final Path file) throws IOException {
        final byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) {
                return null;
            }
        }
        final int big = (head[0] & 0xFF) << 24 | (head[1] & 0xFF) << 16 | (head[2] & 0xFF) << 8 | head[3] & 0xFF;
        for (final int magic : new int[] {0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34}) {
            final ByteOrder order = big == magic ? ByteOrder.BIG_ENDIAN
                    : big == Integer.reverseBytes(magic) ? ByteOrder.LITTLE_ENDIAN : null;
            if (order != null) {
                // Kuznetzov's patched format adds ifindex, protocol and packet type to each record header
                return new OversizedRecords(file, FileChannel.open(file, StandardOpenOption.READ), order,
                        magic == 0xA1B2CD34 ? 24 : 16);
            }
        }
        return null;
    }

    /**
     * The whole captured bytes of the record that ends at {@code end} in the file, or null when libpcap
     * already returned all {@code capturedLength} of them.
     *
     * @throws IOException when the file cannot be read, or its records do not end at {@code end}
     */
    byte[] fullRecord(final long end, final int capturedLength) throws IOException {
        long start = -1;
        int length = 0;
        while (next < end) {
            header.clear();
            readFully(header, next);
            start = next;
            length = header.getInt(8);
            next = start + recordHeader + Integer.toUnsignedLong(length);
        }
        if (start < 0 || next != end) {
            throw new IOException("records of " + file + " do not end where libpcap stands (" + end + ")");
        }
        if (length == capturedLength) {
            return null;
        }
        final byte[] bytes = new byte[length];
        readFully(ByteBuffer.wrap(bytes), start + recordHeader);
        return bytes;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing was left unwritten
        }
    }

    private void readFully(final ByteBuffer into, final long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            final int n = channel.read(into, at);
            if (n < 0) {
                throw new IOException("unexpected end of " + file + " at " + at);
            }
            at += n;
        }
        into.flip();
    }
}
