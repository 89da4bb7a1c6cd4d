package dev.probe.file.format;

import dev.probe.spi.PacketBatch;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes one capture file in a {@link CaptureFormat} to a channel (a file, standard output) through a
 * buffer: the file header when created, then one record per {@code write} call, each with its time
 * stamp in nanoseconds, its captured bytes and its length on the wire.
 *
 * <p>The channel is a blocking one (a {@link java.nio.channels.FileChannel}, a stream): each write-out
 * writes the whole buffer. Records are encoded into the buffer and the buffer is written to the
 * channel when it is full, on {@link #flush()} and on {@link #close()}: nothing is allocated per
 * packet for records that fit the buffer (larger ones pass through it in pieces). The buffer is the
 * caller's, a direct one for files, and can be reused for the next file once this writer is done.
 *
 * <p>What was written is counted in whole records: {@link #recordsWritten()},
 * {@link #capturedBytesWritten()} and {@link #bytesWritten()} (file bytes, header included) cover what
 * the channel accepted; {@link #bufferedRecords()} what waits in the buffer.
 *
 * <p>When the channel fails (a full disk), the {@link IOException} leaves the writer unusable: the
 * channel then holds {@link #bytesWritten()} bytes of whole records, possibly followed by part of what
 * was being written out; the {@link #bufferedRecords()} records and the record a failed {@code write}
 * was given were not written. Truncating a file to {@link #bytesWritten()} leaves a valid capture file.
 *
 * <p>Not thread-safe: one thread writes.
 */
public abstract sealed class CaptureWriter implements Flushable, Closeable permits PcapWriter, PcapngWriter {
    /**
     * libpcap's largest snapshot length: records of up to this many captured bytes open in every reader
     * (Wireshark refuses larger ones).
     */
    public static final int MAX_SNAPLEN = 262_144;
    /** The smallest buffer a writer accepts. */
    public static final int MIN_BUFFER_BYTES = 1024;
    /** The buffer of writers created over an {@link OutputStream}. */
    public static final int STREAM_BUFFER_BYTES = 1 << 20;

    private final CaptureFormat format;
    private final WritableByteChannel out;
    /** Little-endian; [0, position) is what waits to be written. */
    final ByteBuffer buffer;
    private final MemorySegment memory;
    private int bufferedRecords;
    private long bufferedCapturedBytes;
    private long recordsWritten;
    private long capturedBytesWritten;
    private long bytesWritten;
    private IOException failure;

    CaptureWriter(final CaptureFormat format, final WritableByteChannel out, final ByteBuffer buffer) {
        this.format = format;
        this.out = Objects.requireNonNull(out, "out");
        if (buffer.capacity() < MIN_BUFFER_BYTES || buffer.isReadOnly()) {
            throw new IllegalArgumentException("buffer: " + buffer.capacity() + " bytes"
                    + (buffer.isReadOnly() ? ", read-only" : "") + " (expected: writable, >= " + MIN_BUFFER_BYTES + ")");
        }
        this.buffer = buffer.clear().order(ByteOrder.LITTLE_ENDIAN);
        this.memory = MemorySegment.ofBuffer(this.buffer);
    }

    /**
     * A writer of {@code format} to {@code out} through {@code buffer}; the file header is buffered at
     * once. The writer clears the buffer and sets its byte order.
     *
     * @param linkType the link type of every record, a {@link dev.probe.api.LinkType} value
     * @param snaplen the snapshot length the header states, 1 to {@link #MAX_SNAPLEN}; records are
     *        written whatever their length
     */
    public static CaptureWriter open(final CaptureFormat format, final WritableByteChannel out, final ByteBuffer buffer,
                                     final int linkType, final int snaplen) {
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IllegalArgumentException("linkType: " + linkType + " (expected: 0 to 65535)");
        }
        if (snaplen < 1 || snaplen > MAX_SNAPLEN) {
            throw new IllegalArgumentException("snaplen: " + snaplen + " (expected: 1 to " + MAX_SNAPLEN + ")");
        }
        final CaptureWriter writer = switch (format) {
            case PCAP, PCAP_MICROS -> new PcapWriter(format, out, buffer);
            case PCAPNG -> new PcapngWriter(out, buffer);
        };
        writer.buffer.position(writer.putFileHeader(0, linkType, snaplen));
        return writer;
    }

    /**
     * A writer of {@code format} to {@code out}, such as standard output, with a buffer of its own
     * ({@link #STREAM_BUFFER_BYTES}) and snapshot length {@link #MAX_SNAPLEN}. {@link #flush()} also
     * flushes {@code out}; {@link #close()} leaves it open.
     */
    public static CaptureWriter open(final CaptureFormat format, final OutputStream out, final int linkType) {
        return open(format, new StreamChannel(out), ByteBuffer.allocateDirect(STREAM_BUFFER_BYTES), linkType,
                MAX_SNAPLEN);
    }

    /** The format written. */
    public final CaptureFormat format() {
        return format;
    }

    /**
     * Appends a record of {@code length} bytes of {@code data} from {@code offset}.
     *
     * @param timestampNanos capture time in nanoseconds since 1970; {@link CaptureFormat#accepts} it
     * @param wireLength the packet's length on the wire; raised to the captured length when below it
     * @throws IllegalArgumentException for a time stamp the format cannot hold
     * @throws IOException when writing the buffer out to make room failed (see the class comment)
     */
    public final void write(final long timestampNanos, final int wireLength, final byte[] data, final int offset,
                            final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        final int end = begin(timestampNanos, length);
        if (end < 0) {
            writeLarge(timestampNanos, wireLength, MemorySegment.ofArray(data).asSlice(offset, length));
            return;
        }
        final int at = putRecordHeader(buffer.position(), timestampNanos, length, wireLength);
        buffer.put(at, data, offset, length);
        end(end, at + length, length);
    }

    /** Appends a record of the bytes of {@code data}; otherwise as {@link #write(long, int, byte[], int, int)}. */
    public final void write(final long timestampNanos, final int wireLength, final MemorySegment data) throws IOException {
        final int length = capturedLength(data.byteSize());
        final int end = begin(timestampNanos, length);
        if (end < 0) {
            writeLarge(timestampNanos, wireLength, data);
            return;
        }
        final int at = putRecordHeader(buffer.position(), timestampNanos, length, wireLength);
        MemorySegment.copy(data, 0, memory, at, length);
        end(end, at + length, length);
    }

    /**
     * Appends packet {@code index} of {@code batch}: its time stamp, wire length and captured bytes,
     * copied with {@link PacketBatch#copyTo(int, MemorySegment, long)}. Otherwise as
     * {@link #write(long, int, byte[], int, int)}.
     */
    public final void write(final PacketBatch batch, final int index) throws IOException {
        final int length = batch.capturedLength(index);
        final long timestampNanos = batch.timestampNanos(index);
        final int end = begin(timestampNanos, length);
        if (end < 0) {
            writeLarge(timestampNanos, batch.wireLength(index), batch.data(index));
            return;
        }
        final int at = putRecordHeader(buffer.position(), timestampNanos, length, batch.wireLength(index));
        batch.copyTo(index, memory, at);
        end(end, at + length, length);
    }

    /**
     * Checks a record and makes room for it in the buffer.
     *
     * @return the buffer position after the record, or -1 when it is larger than the whole buffer
     */
    private int begin(final long timestampNanos, final int capturedLength) throws IOException {
        usable();
        if (!format.accepts(timestampNanos)) {
            throw new IllegalArgumentException("time stamp " + describe(timestampNanos) + " cannot be written in "
                    + format + " (expected: from 1970"
                    + (format == CaptureFormat.PCAPNG ? ")" : " to 2106-02-07T06:28:15Z)"));
        }
        final long length = format.recordLength(capturedLength);
        if (length > buffer.capacity()) {
            return -1;
        }
        if (length > buffer.remaining()) {
            writeOut();
        }
        return buffer.position() + (int) length;
    }

    private void end(final int end, final int dataEnd, final int capturedLength) {
        putRecordTrailer(dataEnd, capturedLength);
        buffer.position(end);
        bufferedRecords++;
        bufferedCapturedBytes += capturedLength;
    }

    /** A record larger than the buffer: written out at once, through the buffer in pieces. */
    private void writeLarge(final long timestampNanos, final int wireLength, final MemorySegment data) throws IOException {
        final int length = capturedLength(data.byteSize());
        writeOut();
        buffer.position(putRecordHeader(0, timestampNanos, length, wireLength));
        long done = 0;
        while (done < length) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            final int n = (int) Math.min(buffer.remaining(), length - done);
            MemorySegment.copy(data, done, memory, buffer.position(), n);
            buffer.position(buffer.position() + n);
            done += n;
        }
        if (buffer.remaining() < trailerLength(length)) {
            drain();
        }
        buffer.position(putRecordTrailer(buffer.position(), length));
        drain();
        recordsWritten++;
        capturedBytesWritten += length;
        bytesWritten += format.recordLength(length);
    }

    /**
     * Writes out what is buffered (does not force it to a disk: that is the channel owner's call), and
     * flushes an {@link OutputStream} the writer was opened over.
     *
     * @throws IOException when the channel fails; see the class comment
     */
    @Override
    public final void flush() throws IOException {
        usable();
        writeOut();
        if (out instanceof Flushable stream) {
            stream.flush();
        }
    }

    /** Flushes; leaves the channel (or stream) open, so that a writer can wrap standard output. */
    @Override
    public final void close() throws IOException {
        if (failure == null) {
            flush();
        }
    }

    /** Records written to the channel. */
    public final long recordsWritten() {
        return recordsWritten;
    }

    /** Captured packet bytes of the records written to the channel. */
    public final long capturedBytesWritten() {
        return capturedBytesWritten;
    }

    /** File bytes written to the channel, header included: always the end of a whole record (or header). */
    public final long bytesWritten() {
        return bytesWritten;
    }

    /** Records waiting in the buffer. */
    public final int bufferedRecords() {
        return bufferedRecords;
    }

    /** Bytes waiting in the buffer (records, and the header until the first write-out). */
    public final int bufferedBytes() {
        return buffer.position();
    }

    /** Free bytes in the buffer. */
    public final int bufferRoom() {
        return buffer.remaining();
    }

    /** Bytes of the file so far, written or buffered. */
    public final long size() {
        return bytesWritten + buffer.position();
    }

    /** Records so far, written or buffered. */
    public final long records() {
        return recordsWritten + bufferedRecords;
    }

    private void writeOut() throws IOException {
        final int bytes = buffer.position();
        if (bytes == 0) {
            return;
        }
        drain();
        bytesWritten += bytes;
        recordsWritten += bufferedRecords;
        capturedBytesWritten += bufferedCapturedBytes;
        bufferedRecords = 0;
        bufferedCapturedBytes = 0;
    }

    /** Writes [0, position) of the buffer to the channel and empties it; no counting. */
    private void drain() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        buffer.clear();
    }

    private void usable() {
        if (failure != null) {
            throw new IllegalStateException("the capture writer failed earlier: " + failure.getMessage(), failure);
        }
    }

    private static int capturedLength(final long length) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("data: " + length + " bytes (expected: < 2 GiB)");
        }
        return (int) length;
    }

    private static String describe(final long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L))
                + " (" + epochNanos + " ns)";
    }

    /** Puts the file header at {@code at}; returns the offset after it. */
    abstract int putFileHeader(int at, int linkType, int snaplen);

    /** Puts a record's header at {@code at}; returns the offset of its data. The time stamp is valid. */
    abstract int putRecordHeader(int at, long timestampNanos, int capturedLength, int wireLength);

    /** Puts what follows a record's data at {@code at} (padding, a length); returns the offset after it. */
    abstract int putRecordTrailer(int at, int capturedLength);

    /** Bytes {@link #putRecordTrailer} puts. */
    abstract int trailerLength(int capturedLength);

    /** An {@link OutputStream} as a channel, copying through a small array it keeps. */
    private static final class StreamChannel implements WritableByteChannel, Flushable {
        private final OutputStream out;
        private final byte[] chunk = new byte[1 << 16];
        private boolean open = true;

        StreamChannel(final OutputStream out) {
            this.out = Objects.requireNonNull(out, "out");
        }

        @Override
        public int write(final ByteBuffer source) throws IOException {
            final int n = source.remaining();
            while (source.hasRemaining()) {
                final int part = Math.min(chunk.length, source.remaining());
                source.get(chunk, 0, part);
                out.write(chunk, 0, part);
            }
            return n;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        /** Marks the channel closed; the stream stays open. */
        @Override
        public void close() {
            open = false;
        }
    }
}
