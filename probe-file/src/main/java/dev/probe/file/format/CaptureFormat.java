package dev.probe.file.format;

/**
 * The capture-file formats {@link CaptureWriter} writes, with the sizes of what each writes, for
 * callers that plan file sizes before writing. All are little-endian; readers detect the byte order.
 */
public enum CaptureFormat {
    /**
     * Classic libpcap with nanosecond time stamps (magic {@code 0xa1b23c4d}, version 2.4). Seconds are
     * 32 bits unsigned: time stamps from 1970 up to 2106-02-07T06:28:15Z.
     */
    PCAP("pcap", PcapWriter.FILE_HEADER_BYTES, PcapWriter.RECORD_HEADER_BYTES),
    /**
     * Classic libpcap with microsecond time stamps (magic {@code 0xa1b2c3d4}), the format every reader
     * knows; time stamps are rounded down to the microsecond. Same range as {@link #PCAP}.
     */
    PCAP_MICROS("pcap", PcapWriter.FILE_HEADER_BYTES, PcapWriter.RECORD_HEADER_BYTES),
    /**
     * pcapng: a section header block, one interface description block (link type, snapshot length,
     * {@code if_tsresol = 9}: nanoseconds) and an enhanced packet block per packet, with its captured
     * and original (wire) length. 64-bit time stamps: from 1970 up to the end of a Java {@code long}.
     */
    PCAPNG("pcapng", PcapngWriter.HEADER_BYTES, PcapngWriter.EPB_OVERHEAD_BYTES);

    private final String extension;
    private final int headerLength;
    private final int recordOverhead;

    CaptureFormat(final String extension, final int headerLength, final int recordOverhead) {
        this.extension = extension;
        this.headerLength = headerLength;
        this.recordOverhead = recordOverhead;
    }

    /** The usual file name extension, without the dot: {@code pcap} or {@code pcapng}. */
    public String extension() {
        return extension;
    }

    /** Bytes of the file header, written before the first record. */
    public int headerLength() {
        return headerLength;
    }

    /** Bytes of the record of a packet of {@code capturedLength} captured bytes, headers and padding included. */
    public long recordLength(final int capturedLength) {
        if (this == PCAPNG) {
            return recordOverhead + PcapngWriter.padded(capturedLength);
        }
        return recordOverhead + (long) capturedLength;
    }

    /**
     * Whether a time stamp of {@code epochNanos} nanoseconds since 1970 can be written in this format:
     * never before 1970; for classic pcap, not from 2106-02-07T06:28:16Z on (32-bit seconds).
     */
    public boolean accepts(final long epochNanos) {
        if (epochNanos < 0) {
            return false;
        }
        return this == PCAPNG || epochNanos / PcapWriter.NANOS_PER_SECOND <= PcapWriter.MAX_SECONDS;
    }
}
