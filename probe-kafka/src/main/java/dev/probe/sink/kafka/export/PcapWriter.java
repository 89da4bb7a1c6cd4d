package dev.probe.sink.kafka.export;

import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a classic libpcap file (magic {@code 0xa1b2c3d4}, microsecond timestamps, version 2.4) in
 * little-endian byte order, one record per {@link #write} call. Readers detect the byte order from the
 * magic number.
 *
 * <p>Not thread-safe: one thread writes. {@link #close()} flushes but does not close the underlying
 * stream, so it can wrap {@code System.out}.
 */
public final class PcapWriter implements Flushable, AutoCloseable {
    /** The magic number of a microsecond-resolution pcap file. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Link type 1: Ethernet. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** The snapshot length written in the file header: the largest frame readers expect. */
    public static final int SNAPLEN = 262_144;

    private static final int FILE_HEADER_BYTES = 24;
    private static final int RECORD_HEADER_BYTES = 16;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * Writes the file header.
     *
     * @param out where the file goes; buffered here
     * @param linkType the pcap link type of every frame, such as {@link #LINKTYPE_ETHERNET}
     */
    public PcapWriter(final OutputStream out, final int linkType) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        header.clear();
        header.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(linkType);
        this.out.write(header.array(), 0, FILE_HEADER_BYTES);
    }

    /**
     * Appends one frame.
     *
     * @param epochMicros capture time in microseconds since the epoch
     * @param data the captured bytes; their length is the record's captured length
     * @param wireLength the frame's length on the wire; raised to the captured length if below it
     */
    public void write(final long epochMicros, final byte[] data, final long wireLength) throws IOException {
        header.clear();
        header.putInt((int) Math.floorDiv(epochMicros, 1_000_000L))
                .putInt((int) Math.floorMod(epochMicros, 1_000_000L))
                .putInt(data.length)
                .putInt((int) Math.max(wireLength, data.length));
        out.write(header.array(), 0, RECORD_HEADER_BYTES);
        out.write(data);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes; leaves the underlying stream open. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
