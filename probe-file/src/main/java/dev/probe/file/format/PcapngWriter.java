package dev.probe.file.format;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * pcapng, little-endian: a section header block (with {@code shb_userappl} "probe"), one interface
 * description block (link type, snapshot length, {@code if_tsresol} 9: nanoseconds), then an enhanced
 * packet block per packet on interface 0, with its 64-bit time stamp, captured and original length.
 */
final class PcapngWriter extends CaptureWriter {
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPT_END = 0;
    private static final int SHB_USERAPPL = 4;
    private static final int IF_TSRESOL = 9;
    private static final byte[] USERAPPL = "probe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TSRESOL_NANOS = {9};

    /** Section header: 24 fixed bytes, the user-application option, the end of options, the trailing length. */
    private static final int SHB_BYTES = 24 + 4 + pad4(USERAPPL.length) + 4 + 4;
    /** Interface description: 16 fixed bytes, if_tsresol (4 + 1 padded to 4), the end of options, the trailing length. */
    private static final int IDB_BYTES = 16 + 8 + 4 + 4;
    static final int HEADER_BYTES = SHB_BYTES + IDB_BYTES;
    /** Enhanced packet block without its data: 28 bytes of header, 4 of trailing length. */
    static final int EPB_OVERHEAD_BYTES = 32;

    PcapngWriter(final WritableByteChannel out, final ByteBuffer buffer) {
        super(CaptureFormat.PCAPNG, out, buffer);
    }

    /** {@code length} rounded up to a multiple of 4, as pcapng pads every field. */
    static int padded(final int length) {
        return pad4(length);
    }

    private static int pad4(final int length) {
        return (length + 3) & ~3;
    }

    @Override
    int putFileHeader(final int at, final int linkType, final int snaplen) {
        int p = at;
        buffer.putInt(p, SHB).putInt(p + 4, SHB_BYTES).putInt(p + 8, BYTE_ORDER_MAGIC)
                .putShort(p + 12, (short) 1).putShort(p + 14, (short) 0)
                .putLong(p + 16, -1L);                      // section length not given
        p += 24;
        p = putOption(p, SHB_USERAPPL, USERAPPL);
        buffer.putInt(p, OPT_END);                          // opt_endofopt: code 0, length 0
        buffer.putInt(p + 4, SHB_BYTES);
        p += 8;

        buffer.putInt(p, IDB).putInt(p + 4, IDB_BYTES)
                .putShort(p + 8, (short) linkType).putShort(p + 10, (short) 0)
                .putInt(p + 12, snaplen);
        p += 16;
        p = putOption(p, IF_TSRESOL, TSRESOL_NANOS);
        buffer.putInt(p, OPT_END);
        buffer.putInt(p + 4, IDB_BYTES);
        return p + 8;
    }

    private int putOption(final int at, final int code, final byte[] value) {
        buffer.putShort(at, (short) code).putShort(at + 2, (short) value.length);
        buffer.put(at + 4, value);
        for (int i = at + 4 + value.length; i < at + 4 + pad4(value.length); i++) {
            buffer.put(i, (byte) 0);
        }
        return at + 4 + pad4(value.length);
    }

    @Override
    int putRecordHeader(final int at, final long timestampNanos, final int capturedLength, final int wireLength) {
        final int total = EPB_OVERHEAD_BYTES + pad4(capturedLength);
        buffer.putInt(at, EPB).putInt(at + 4, total)
                .putInt(at + 8, 0)                          // interface 0
                .putInt(at + 12, (int) (timestampNanos >>> 32))
                .putInt(at + 16, (int) timestampNanos)
                .putInt(at + 20, capturedLength)
                .putInt(at + 24, Math.max(wireLength, capturedLength));
        return at + 28;
    }

    @Override
    int putRecordTrailer(final int at, final int capturedLength) {
        int p = at;
        for (int i = capturedLength; i < pad4(capturedLength); i++) {
            buffer.put(p++, (byte) 0);
        }
        buffer.putInt(p, EPB_OVERHEAD_BYTES + pad4(capturedLength));
        return p + 4;
    }

    @Override
    int trailerLength(final int capturedLength) {
        return pad4(capturedLength) - capturedLength + 4;
    }
}
