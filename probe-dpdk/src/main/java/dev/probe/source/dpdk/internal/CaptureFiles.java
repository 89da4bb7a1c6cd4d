package dev.probe.source.dpdk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What libpcap, and so {@code net_pcap}, will make of a capture file, found without libpcap: whether it
 * opens ({@link #problem}) and how many packet records it holds ({@link #count}). Reads classic pcap in
 * either byte order (microsecond, nanosecond and Kuznetzov magic) and pcapng (each section's byte order
 * from its header; enhanced, simple and obsolete packet blocks count as packets), walking record and
 * block headers only and skipping packet data. Any thread; holds no state.
 */
public final class CaptureFiles {
    private static final int PCAP_MICROS = 0xA1B2C3D4;
    private static final int PCAP_NANOS = 0xA1B23C4D;
    private static final int PCAP_KUZNETZOV = 0xA1B2CD34;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER = 0x1A2B3C4D;
    private static final int PCAPNG_IDB = 1;
    private static final int PCAPNG_PB = 2;
    private static final int PCAPNG_SPB = 3;
    private static final int PCAPNG_EPB = 6;
    private static final int BUFFER = 1 << 16;

    private CaptureFiles() {
    }

    /**
     * The packet records of a file libpcap opens.
     *
     * @param packets complete packet records, in file order, before the end or the damage
     * @param damage what stops a reader after them, or null when the file ends cleanly
     */
    public record Count(long packets, String damage) {
        /** Whether every byte of the file was walked without finding damage. */
        public boolean complete() {
            return damage == null;
        }
    }

    /** A file libpcap would refuse to open. */
    public static final class NotACaptureFile extends IOException {
        private static final long serialVersionUID = 1L;

        NotACaptureFile(final String reason) {
            super(reason);
        }
    }

    /**
     * Why libpcap would not open {@code file}, reading its header only (for pcapng, up to its first
     * interface description block): {@code "does not exist"}, {@code "is not a pcap or pcapng file (magic
     * 7f454c46)"}; null when it opens.
     */
    public static String problem(final Path file) {
        if (!Files.exists(file)) {
            return "does not exist";
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return "is not a readable file";
        }
        try {
            walk(file, true);
            return null;
        } catch (NotACaptureFile e) {
            return e.getMessage();
        } catch (IOException e) {
            return "cannot be read: " + e.getMessage();
        }
    }

    /**
     * Counts the packet records of {@code file}. Reads the whole file's headers: about as long as
     * reading the file once.
     *
     * @throws NotACaptureFile when libpcap would not open it, with the reason as message
     * @throws IOException when it cannot be read
     */
    public static Count count(final Path file) throws IOException {
        return walk(file, false);
    }

    private static Count walk(final Path file, final boolean headerOnly) throws IOException {
        try (Reader in = new Reader(FileChannel.open(file, StandardOpenOption.READ))) {
            if (!in.need(4)) {
                throw new NotACaptureFile("is too short for a capture file (" + in.size + " bytes)");
            }
            final int magic = in.intAt(0, ByteOrder.BIG_ENDIAN);
            if (magic == PCAPNG_SHB) {
                return pcapng(in, headerOnly);
            }
            return pcap(in, magic, headerOnly);
        }
    }

    private static Count pcap(final Reader in, final int magic, final boolean headerOnly) throws IOException {
        final ByteOrder order;
        if (magic == PCAP_MICROS || magic == PCAP_NANOS || magic == PCAP_KUZNETZOV) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            final int swapped = Integer.reverseBytes(magic);
            if (swapped != PCAP_MICROS && swapped != PCAP_NANOS && swapped != PCAP_KUZNETZOV) {
                throw new NotACaptureFile(String.format("is not a pcap or pcapng file (magic %08x)", magic));
            }
            order = ByteOrder.LITTLE_ENDIAN;
        }
        if (!in.need(24)) {
            throw new NotACaptureFile("is a pcap file cut short in its 24-byte header");
        }
        final int major = in.shortAt(4, order);
        final int minor = in.shortAt(6, order);
        if (!(major == 2 && minor <= 4) && !(major == 543 && minor == 0)) {
            throw new NotACaptureFile("is a pcap file of version " + major + "." + minor + ", which libpcap does not read");
        }
        if (headerOnly) {
            return new Count(0, null);
        }
        final int recordHeader = magic == PCAP_KUZNETZOV || Integer.reverseBytes(magic) == PCAP_KUZNETZOV ? 24 : 16;
        in.skip(24);
        long packets = 0;
        while (!in.atEnd()) {
            if (!in.need(recordHeader)) {
                return new Count(packets, "record header cut short after " + packets + " packets");
            }
            final long captured = Integer.toUnsignedLong(in.intAt(8, order));
            if (!in.skip(recordHeader + captured)) {
                return new Count(packets, "record of " + captured + " bytes cut short after " + packets + " packets");
            }
            packets++;
        }
        return new Count(packets, null);
    }

    private static Count pcapng(final Reader in, final boolean headerOnly) throws IOException {
        long packets = 0;
        int interfaces = 0;
        // libpcap's open reads up to the first interface description block: damage before it refuses the file
        boolean opened = false;
        ByteOrder order = ByteOrder.BIG_ENDIAN;
        while (!in.atEnd()) {
            final String where = "after " + packets + " packets";
            if (!in.need(12)) {
                return damaged(opened, packets, "block header cut short " + where);
            }
            final boolean section = in.intAt(0, ByteOrder.BIG_ENDIAN) == PCAPNG_SHB;
            if (section) {
                final int bom = in.intAt(8, ByteOrder.BIG_ENDIAN);
                if (bom == PCAPNG_BYTE_ORDER) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (Integer.reverseBytes(bom) == PCAPNG_BYTE_ORDER) {
                    order = ByteOrder.LITTLE_ENDIAN;
                } else {
                    return damaged(opened, packets, String.format("section header with byte-order magic %08x %s",
                            bom, where));
                }
                if (!in.need(16) || in.shortAt(12, order) != 1) {
                    return damaged(opened, packets, "section header of a pcapng version other than 1 " + where);
                }
                interfaces = 0;
            }
            final int type = in.intAt(0, order);
            final long length = Integer.toUnsignedLong(in.intAt(4, order));
            if (length < 12 || length % 4 != 0 || length > in.left()) {
                return damaged(opened, packets, "block of " + length + " bytes" + (length > in.left() ? " cut short "
                        : " ") + where);
            }
            if (!in.need((int) Math.min(length, 32))) {
                return damaged(opened, packets, "block cut short " + where);
            }
            boolean packet = false;
            switch (type) {
                case PCAPNG_IDB -> {
                    interfaces++;
                    opened = true;
                }
                case PCAPNG_EPB, PCAPNG_PB -> {
                    final long id = type == PCAPNG_EPB ? Integer.toUnsignedLong(in.intAt(8, order)) : in.shortAt(8, order);
                    if (length < 32 || id >= interfaces) {
                        return damaged(opened, packets, "packet block of interface " + id + " of " + interfaces
                                + " described " + where);
                    }
                    if (Integer.toUnsignedLong(in.intAt(20, order)) > length - 32) {
                        return damaged(opened, packets, "packet block holding less than its captured length " + where);
                    }
                    packet = true;
                }
                case PCAPNG_SPB -> {
                    if (length < 16 || interfaces == 0) {
                        return damaged(opened, packets, "simple packet block of no described interface " + where);
                    }
                    packet = true;
                }
                default -> {
                    // section headers, statistics, name resolution, custom blocks: no packet
                }
            }
            if (!in.skip(length - 4) || !in.need(4)) {
                return damaged(opened, packets, "block cut short " + where);
            }
            if (Integer.toUnsignedLong(in.intAt(0, order)) != length) {
                return damaged(opened, packets, "block whose trailing length differs from its leading one " + where);
            }
            in.skip(4);
            if (packet) {
                packets++;
            }
            if (headerOnly && opened) {
                return new Count(0, null);
            }
        }
        if (!opened) {
            throw new NotACaptureFile("is a pcapng file without an interface description block");
        }
        return new Count(packets, null);
    }

    private static Count damaged(final boolean opened, final long packets, final String damage) throws NotACaptureFile {
        if (!opened) {
            throw new NotACaptureFile("is a pcapng file libpcap cannot open: " + damage);
        }
        return new Count(packets, damage);
    }

    /** Sequential reads through one buffer; {@link #skip} repositions the channel instead of reading data. */
    private static final class Reader implements AutoCloseable {
        private final FileChannel channel;
        private final long size;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).flip();
        /** File offset of the buffer's position. */
        private long offset;

        Reader(final FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
        }

        boolean atEnd() {
            return offset >= size;
        }

        long left() {
            return size - offset;
        }

        /** Makes {@code n} bytes (at most the buffer) readable at the position; false when the file ends first. */
        boolean need(final int n) throws IOException {
            if (n > left()) {
                return false;
            }
            while (buffer.remaining() < n) {
                buffer.compact();
                final int read = channel.read(buffer);
                buffer.flip();
                if (read < 0) {
                    return false;
                }
            }
            return true;
        }

        int intAt(final int at, final ByteOrder order) {
            return buffer.order(order).getInt(buffer.position() + at);
        }

        int shortAt(final int at, final ByteOrder order) {
            return buffer.order(order).getShort(buffer.position() + at) & 0xFFFF;
        }

        /** Moves {@code n} bytes on; false, moving nowhere, when fewer are left. */
        boolean skip(final long n) throws IOException {
            if (n > left()) {
                return false;
            }
            if (n <= buffer.remaining()) {
                buffer.position(buffer.position() + (int) n);
            } else {
                buffer.clear().flip();
                channel.position(offset + n);
            }
            offset += n;
            return true;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
