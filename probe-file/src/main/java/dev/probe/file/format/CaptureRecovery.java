package dev.probe.file.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Finds how much of a capture file that {@link CaptureWriter} was writing when its process ended is
 * whole: its header and the records up to the first one cut off. Truncating the file there leaves a
 * valid capture file. Reads only record headers. Stateless, thread-safe.
 */
public final class CaptureRecovery {
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_EPB = 6;

    /**
     * What is whole in a file.
     *
     * @param length bytes of the header and the whole records; 0 when not even the header is whole
     * @param records how many whole records there are
     */
    public record Whole(long length, long records) {
    }

    private CaptureRecovery() {
    }

    /**
     * The whole part of {@code file}: classic pcap or pcapng, little-endian, as {@link CaptureWriter}
     * writes them.
     *
     * @throws IOException when the file cannot be read, or does not start like such a file
     */
    public static Whole whole(final FileChannel file) throws IOException {
        final long size = file.size();
        final ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 4) {
            return new Whole(0, 0);
        }
        final int magic = read(file, header, 0, 4).getInt(0);
        if (magic == PcapWriter.MAGIC_NANOS || magic == PcapWriter.MAGIC_MICROS) {
            return pcap(file, size, header);
        }
        if (magic == PCAPNG_SHB) {
            return pcapng(file, size, header);
        }
        throw new IOException(String.format("not a little-endian pcap or pcapng file (magic %08x)", magic));
    }

    private static Whole pcap(final FileChannel file, final long size, final ByteBuffer header) throws IOException {
        long at = PcapWriter.FILE_HEADER_BYTES;
        if (size < at) {
            return new Whole(0, 0);
        }
        long records = 0;
        while (size - at >= PcapWriter.RECORD_HEADER_BYTES) {
            final long captured = Integer.toUnsignedLong(read(file, header, at, PcapWriter.RECORD_HEADER_BYTES).getInt(8));
            final long end = at + PcapWriter.RECORD_HEADER_BYTES + captured;
            if (end > size) {
                break;
            }
            at = end;
            records++;
        }
        return new Whole(at, records);
    }

    private static Whole pcapng(final FileChannel file, final long size, final ByteBuffer header) throws IOException {
        long at = 0;
        long records = 0;
        while (size - at >= 12) {
            final ByteBuffer block = read(file, header, at, 8);
            final int type = block.getInt(0);
            final long length = Integer.toUnsignedLong(block.getInt(4));
            if (length < 12 || length % 4 != 0 || at + length > size
                    || Integer.toUnsignedLong(read(file, header, at + length - 4, 4).getInt(0)) != length) {
                break;
            }
            at += length;
            if (type == PCAPNG_EPB) {
                records++;
            }
        }
        return at < PcapngWriter.HEADER_BYTES ? new Whole(0, 0) : new Whole(at, records);
    }

    private static ByteBuffer read(final FileChannel file, final ByteBuffer header, final long at, final int length)
            throws IOException {
        header.clear().limit(length);
        while (header.hasRemaining()) {
            if (file.read(header, at + header.position()) < 0) {
                throw new EOFException("end of file at " + (at + header.position()));
            }
        }
        return header;
    }
}
