package dev.probe.file.format;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Classic libpcap, version 2.4, little-endian: a 24-byte file header, then per packet a 16-byte record
 * header (seconds, fraction, captured length, wire length) and the captured bytes. Nanosecond
 * ({@code 0xa1b23c4d}) or microsecond ({@code 0xa1b2c3d4}) fractions.
 */
final class PcapWriter extends CaptureWriter {
    static final int FILE_HEADER_BYTES = 24;
    static final int RECORD_HEADER_BYTES = 16;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The largest seconds field: 32 bits unsigned. */
    static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final boolean nanos;

    PcapWriter(final CaptureFormat format, final WritableByteChannel out, final ByteBuffer buffer) {
        super(format, out, buffer);
        this.nanos = format == CaptureFormat.PCAP;
    }

    @Override
    int putFileHeader(final int at, final int linkType, final int snaplen) {
        buffer.putInt(at, nanos ? MAGIC_NANOS : MAGIC_MICROS)
                .putShort(at + 4, (short) 2)
                .putShort(at + 6, (short) 4)
                .putInt(at + 8, 0)          // thiszone: time stamps are UTC
                .putInt(at + 12, 0)         // sigfigs
                .putInt(at + 16, snaplen)
                .putInt(at + 20, linkType);
        return at + FILE_HEADER_BYTES;
    }

    @Override
    int putRecordHeader(final int at, final long timestampNanos, final int capturedLength, final int wireLength) {
        final long seconds = timestampNanos / NANOS_PER_SECOND;
        final long fraction = timestampNanos % NANOS_PER_SECOND;
        buffer.putInt(at, (int) seconds)
                .putInt(at + 4, (int) (nanos ? fraction : fraction / 1_000L))
                .putInt(at + 8, capturedLength)
                .putInt(at + 12, Math.max(wireLength, capturedLength));
        return at + RECORD_HEADER_BYTES;
    }

    @Override
    int putRecordTrailer(final int at, final int capturedLength) {
        return at;
    }

    @Override
    int trailerLength(final int capturedLength) {
        return 0;
    }
}
