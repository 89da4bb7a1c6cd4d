package dev.probe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

/**
 * An independent, pure-Java reader of capture files, for computing what a test expects (Kafka keys,
 * frames, their digest) without libpcap.
 *
 * <p>Reads classic pcap (either byte order; microsecond {@code a1b2c3d4}, nanosecond {@code a1b23c4d}
 * and Kuznetzov's {@code a1b2cd34} magic) and pcapng (each section's byte order from its header block;
 * interface description blocks with {@code if_tsresol}, decimal or binary, default microseconds, and
 * {@code if_tsoffset}; enhanced, simple and obsolete packet blocks; 64-bit time stamps). Other blocks
 * are skipped.
 *
 * <p>Time stamps are nanoseconds since 1970 in a {@code long}, exact up to 2262-04-11T23:47:16Z; a later
 * one fails with {@link ArithmeticException} instead of wrapping. Times after 2106-02-07T06:28:15Z, when
 * 32 bits of seconds run out, are exact: pcapng stores 64-bit time stamps, and classic pcap's seconds
 * field is read as unsigned, as the format specifies (libpcap 1.10 reads it as signed, which turns
 * 2038 to 2106 into 1901 to 1969). A simple packet block has no time stamp: its records have 0, as
 * libpcap gives them.
 *
 * <p>{@link #writePcap} writes records back as a nanosecond pcap file, for captures a test makes itself
 * (see {@link TestCaptures}).
 *
 * <p>Thread-safe: holds no state.
 */
public final class CaptureFile {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int PCAPNG_IDB = 1;
    private static final int PCAPNG_PB = 2;
    private static final int PCAPNG_SPB = 3;
    private static final int PCAPNG_EPB = 6;
    private static final int OPT_END = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;

    /**
     * One packet record.
     *
     * @param timestampNanos capture time in nanoseconds since 1970
     * @param capturedLength bytes captured, the length of {@code data}
     * @param wireLength bytes the packet had on the wire
     * @param data the captured bytes (record equality compares this array by identity)
     */
    public record Record(long timestampNanos, int capturedLength, int wireLength, byte[] data) {
        /** Capture time in microseconds since 1970, rounded down: the probe's Kafka key. */
        public long timestampMicros() {
            return Math.floorDiv(timestampNanos, 1_000L);
        }

        /** Whether fewer bytes were captured than the packet had on the wire. */
        public boolean truncated() {
            return capturedLength < wireLength;
        }
    }

    /**
     * A whole capture file.
     *
     * @param linkType the link-layer header type of its packets (pcap's file header, or the first
     *        interface of a pcapng file), a {@link dev.probe.api.LinkType} value; {@link #NO_LINK_TYPE}
     *        when a pcapng file describes no interface
     * @param records every packet record, in file order
     */
    public record Capture(int linkType, List<Record> records) {
        /** Copies the list. */
        public Capture {
            records = List.copyOf(records);
        }

        /** Capture time of the first record in nanoseconds since 1970, or empty when there is none. */
        public OptionalLong firstTimestampNanos() {
            return records.isEmpty() ? OptionalLong.empty()
                    : OptionalLong.of(records.getFirst().timestampNanos());
        }

        /** Captured bytes of every record. */
        public long capturedBytes() {
            return records.stream().mapToLong(Record::capturedLength).sum();
        }
    }

    /** {@link Capture#linkType()} of a pcapng file without an interface description block. */
    public static final int NO_LINK_TYPE = -1;

    private CaptureFile() {
    }

    /**
     * Every packet record of a pcap or pcapng file, in file order.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it is not a capture file, or is damaged
     */
    public static List<Record> read(final Path file) {
        return load(file).records();
    }

    /**
     * The link type and every packet record of a pcap or pcapng file.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it is not a capture file, or is damaged
     */
    public static Capture load(final Path file) {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return parseCapture(bytes);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every packet record of a pcap or pcapng image; see {@link #read(Path)}. */
    public static List<Record> parse(final byte[] file) {
        return parseCapture(file).records();
    }

    /** The link type and every packet record of a pcap or pcapng image; see {@link #load(Path)}. */
    public static Capture parseCapture(final byte[] file) {
        if (file.length < 4) {
            throw new IllegalArgumentException("too short for a capture file: " + file.length + " bytes");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        final int magic = buffer.getInt(0);
        if (magic == PCAPNG_SHB) {
            return parsePcapng(buffer);
        }
        return parsePcap(buffer, magic);
    }

    /**
     * Writes {@code records} as a classic pcap file with nanosecond time stamps (magic {@code a1b23c4d},
     * little-endian), keeping each record's captured bytes and wire length: what tcpdump, tshark and
     * libpcap read, and what {@link #load} reads back unchanged.
     *
     * @param linkType the link-layer header type, such as {@link dev.probe.api.LinkType#ETHERNET}
     * @throws UncheckedIOException when the file cannot be written
     * @throws IllegalArgumentException for a time stamp before 1970 or past 2106, which classic pcap cannot hold
     */
    public static void writePcap(final Path file, final int linkType, final List<Record> records) {
        long size = 24;
        int snaplen = 65_535;
        for (final Record r : records) {
            size += 16 + r.capturedLength();
            snaplen = Math.max(snaplen, r.capturedLength());
        }
        final ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snaplen).putInt(linkType);
        for (final Record r : records) {
            final long seconds = Math.floorDiv(r.timestampNanos(), NANOS_PER_SECOND);
            if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("time stamp " + r.timestampNanos() + " ns is outside classic pcap's range");
            }
            out.putInt((int) seconds).putInt((int) Math.floorMod(r.timestampNanos(), NANOS_PER_SECOND))
                    .putInt(r.capturedLength()).putInt(r.wireLength()).put(r.data());
        }
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The captured bytes of {@code records}, in order: what a byte-exact round trip reproduces. */
    public static List<byte[]> frames(final List<Record> records) {
        return records.stream().map(Record::data).toList();
    }

    /** The manifest's {@code frames_sha256}: SHA-256 of all frames concatenated, in lower-case hex. */
    public static String framesSha256(final List<byte[]> frames) {
        final MessageDigest digest = sha256();
        for (final byte[] frame : frames) {
            digest.update(frame);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@link #framesSha256} of the records' captured bytes. */
    public static String recordsSha256(final List<Record> records) {
        return framesSha256(frames(records));
    }

    private static Capture parsePcap(final ByteBuffer buffer, final int magic) {
        final ByteOrder order;
        final int raw;
        if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D || magic == 0xA1B2CD34) {
            order = ByteOrder.BIG_ENDIAN;
            raw = magic;
        } else if (Integer.reverseBytes(magic) == 0xA1B2C3D4 || Integer.reverseBytes(magic) == 0xA1B23C4D
                || Integer.reverseBytes(magic) == 0xA1B2CD34) {
            order = ByteOrder.LITTLE_ENDIAN;
            raw = Integer.reverseBytes(magic);
        } else {
            throw new IllegalArgumentException(String.format("not a pcap or pcapng file (magic %08x)", magic));
        }
        buffer.order(order);
        final boolean nanos = raw == 0xA1B23C4D;
        final int recordHeader = raw == 0xA1B2CD34 ? 24 : 16;
        final List<Record> records = new ArrayList<>();
        int at = 24;
        if (buffer.limit() < at) {
            throw new IllegalArgumentException("truncated file header");
        }
        // libpcap's LT_LINKTYPE: the upper bits may carry the FCS length
        final int linkType = buffer.getInt(20) & 0x03FF_FFFF;
        while (at < buffer.limit()) {
            if (buffer.limit() - at < recordHeader) {
                throw new IllegalArgumentException("truncated record header after " + records.size() + " packets");
            }
            final long seconds = Integer.toUnsignedLong(buffer.getInt(at));
            final long fraction = Integer.toUnsignedLong(buffer.getInt(at + 4));
            final int capturedLength = buffer.getInt(at + 8);
            final int wireLength = buffer.getInt(at + 12);
            at += recordHeader;
            final byte[] data = slice(buffer, at, capturedLength, records.size());
            at += capturedLength;
            final long nanosOfSecond = nanos ? fraction : Math.multiplyExact(fraction, 1_000L);
            records.add(new Record(Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanosOfSecond),
                    capturedLength, wireLength, data));
        }
        return new Capture(linkType, records);
    }

    /** An interface's time stamp unit: 10^-exponent or 2^-exponent seconds, and offset in seconds. */
    private record Interface(int linkType, boolean binary, int exponent, long offsetSeconds, int snaplen) {
        long nanos(final long units) {
            final long seconds;
            final long nanosOfSecond;
            if (binary) {
                seconds = exponent == 0 ? units : units >>> exponent;
                final long fraction = exponent == 0 ? 0 : units & ((1L << exponent) - 1);
                // floor(fraction * 1e9 / 2^exponent), with the 128-bit product
                final long high = Math.unsignedMultiplyHigh(fraction, NANOS_PER_SECOND);
                final long low = fraction * NANOS_PER_SECOND;
                nanosOfSecond = exponent == 0 ? 0 : (high << (64 - exponent)) | (low >>> exponent);
            } else {
                if (exponent > 18) {
                    throw new IllegalArgumentException("if_tsresol of 10^-" + exponent + " is not supported");
                }
                final long perSecond = pow10(exponent);
                seconds = Long.divideUnsigned(units, perSecond);
                final long fraction = Long.remainderUnsigned(units, perSecond);
                nanosOfSecond = exponent <= 9 ? fraction * pow10(9 - exponent)
                        : fraction / pow10(exponent - 9);
            }
            if (seconds < 0) {
                throw new ArithmeticException("time stamp beyond 64-bit nanoseconds: " + Long.toUnsignedString(units));
            }
            return Math.addExact(Math.multiplyExact(Math.addExact(seconds, offsetSeconds), NANOS_PER_SECOND),
                    nanosOfSecond);
        }
    }

    private static Capture parsePcapng(final ByteBuffer buffer) {
        final List<Record> records = new ArrayList<>();
        final List<Interface> interfaces = new ArrayList<>();
        int linkType = NO_LINK_TYPE;
        int at = 0;
        while (at < buffer.limit()) {
            if (buffer.limit() - at < 12) {
                throw new IllegalArgumentException("truncated block header after " + records.size() + " packets");
            }
            final int type;
            // the section header's type reads the same in either byte order
            if (buffer.getInt(at) == PCAPNG_SHB) {
                final int byteOrderMagic = buffer.getInt(at + 8);
                if (byteOrderMagic == PCAPNG_BYTE_ORDER_MAGIC) {
                    buffer.order(ByteOrder.BIG_ENDIAN);
                } else if (Integer.reverseBytes(byteOrderMagic) == PCAPNG_BYTE_ORDER_MAGIC) {
                    buffer.order(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw new IllegalArgumentException(String.format("bad byte-order magic %08x", byteOrderMagic));
                }
                interfaces.clear();
                type = PCAPNG_SHB;
            } else if (at == 0) {
                throw new IllegalArgumentException("pcapng file without a section header block");
            } else {
                type = buffer.getInt(at);
            }
            final int length = buffer.getInt(at + 4);
            if (length < 12 || length % 4 != 0 || length > buffer.limit() - at) {
                throw new IllegalArgumentException("bad or truncated block of length " + length + " at offset " + at
                        + " after " + records.size() + " packets");
            }
            final int body = at + 8;
            switch (type) {
                case PCAPNG_IDB -> {
                    interfaces.add(readInterface(buffer, body, at + length - 4));
                    if (linkType == NO_LINK_TYPE) {
                        linkType = interfaces.getLast().linkType();
                    }
                }
                case PCAPNG_EPB -> records.add(packetBlock(buffer, body, interfaceOf(interfaces, buffer.getInt(body)), records.size()));
                case PCAPNG_PB -> records.add(packetBlock(buffer, body,
                        interfaceOf(interfaces, Short.toUnsignedInt(buffer.getShort(body))), records.size()));
                case PCAPNG_SPB -> {
                    final Interface itf = interfaceOf(interfaces, 0);
                    final int wireLength = buffer.getInt(body);
                    int capturedLength = Math.min(wireLength, length - 16);
                    if (itf.snaplen() != 0) {
                        capturedLength = Math.min(capturedLength, itf.snaplen());
                    }
                    records.add(new Record(0, capturedLength, wireLength,
                            slice(buffer, body + 4, capturedLength, records.size())));
                }
                default -> {
                    // section header, statistics, name resolution, custom blocks: nothing to return
                }
            }
            at += length;
        }
        return new Capture(linkType, records);
    }

    private static Interface readInterface(final ByteBuffer buffer, final int body, final int end) {
        final int linkType = Short.toUnsignedInt(buffer.getShort(body));
        final int snaplen = buffer.getInt(body + 4);
        boolean binary = false;
        int exponent = 6;
        long offset = 0;
        int at = body + 8;
        while (at + 4 <= end) {
            final int code = Short.toUnsignedInt(buffer.getShort(at));
            final int length = Short.toUnsignedInt(buffer.getShort(at + 2));
            if (code == OPT_END) {
                break;
            }
            if (code == IF_TSRESOL && length >= 1) {
                final int value = buffer.get(at + 4) & 0xFF;
                binary = (value & 0x80) != 0;
                exponent = value & 0x7F;
                if (binary && exponent > 63) {
                    throw new IllegalArgumentException("if_tsresol of 2^-" + exponent + " is not supported");
                }
            } else if (code == IF_TSOFFSET && length >= 8) {
                offset = buffer.getLong(at + 4);
            }
            at += 4 + (length + 3) / 4 * 4;
        }
        return new Interface(linkType, binary, exponent, offset, snaplen);
    }

    private static Interface interfaceOf(final List<Interface> interfaces, final int id) {
        if (id < 0 || id >= interfaces.size()) {
            throw new IllegalArgumentException("packet of undescribed interface " + id);
        }
        return interfaces.get(id);
    }

    private static byte[] slice(final ByteBuffer buffer, final int at, final int length, final int packetsBefore) {
        if (length < 0 || length > buffer.limit() - at) {
            throw new IllegalArgumentException("truncated packet data after " + packetsBefore + " packets");
        }
        final byte[] data = new byte[length];
        buffer.get(at, data);
        return data;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static long pow10(final int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }

    /** An enhanced or obsolete packet block: they differ only in how the interface id is stored. */
    private static Record packetBlock(final ByteBuffer buffer, final int body, final Interface itf, final int index) {
        final long units = (Integer.toUnsignedLong(buffer.getInt(body + 4)) << 32)
                | Integer.toUnsignedLong(buffer.getInt(body + 8));
        final int capturedLength = buffer.getInt(body + 12);
        final int wireLength = buffer.getInt(body + 16);
        return new Record(itf.nanos(units), capturedLength, wireLength, slice(buffer, body + 20, capturedLength, index));
    }
}
