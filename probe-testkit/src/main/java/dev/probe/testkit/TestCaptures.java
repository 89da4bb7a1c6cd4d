package dev.probe.testkit;

import dev.probe.api.LinkType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Capture files a test makes itself, so that a sink's tests need nothing outside its own project: the
 * same frames every time, with capture times just before now (destinations such as Kafka refuse times
 * far in the future and expire old ones).
 *
 * <p>Thread-safe: holds no state.
 */
public final class TestCaptures {
    /** Packets in {@link #mixed}. */
    public static final int MIXED_PACKETS = 240;

    /** Frame lengths {@link #mixed} cycles through: minimum Ethernet, common sizes, full size and jumbo. */
    private static final int[] LENGTHS = {60, 64, 98, 128, 342, 576, 1000, 1514, 4096, 9000};

    private TestCaptures() {
    }

    /**
     * Writes {@code mixed.pcap} into {@code folder}: {@value #MIXED_PACKETS} Ethernet frames of 60 to
     * 9,000 bytes, every seventh one truncated to 96 bytes of a longer frame (a snap length), with
     * capture times one minute before now that step by irregular amounts down to the nanosecond.
     *
     * @return the file
     */
    public static Path mixed(final Path folder) {
        final Path file = folder.resolve("mixed.pcap");
        CaptureFile.writePcap(file, LinkType.ETHERNET, mixedRecords(MIXED_PACKETS, startNanos()));
        return file;
    }

    /**
     * The records of {@link #mixed}: {@code count} frames from {@code firstNanos} on.
     */
    public static List<CaptureFile.Record> mixedRecords(final int count, final long firstNanos) {
        final List<CaptureFile.Record> records = new ArrayList<>(count);
        long time = firstNanos;
        for (int i = 0; i < count; i++) {
            final int wire = LENGTHS[i % LENGTHS.length];
            final boolean truncated = i % 7 == 3 && wire > 96;
            final byte[] frame = ethernetFrame(truncated ? 96 : wire, i);
            records.add(new CaptureFile.Record(time, frame.length, wire, frame));
            time += 1_000_003L * (1 + i % 5) + i;
        }
        return records;
    }

    /**
     * An Ethernet II frame of {@code length} bytes (at least 14): locally administered MAC addresses
     * and an IPv4 EtherType, then bytes that depend on {@code seed} and on their position.
     */
    public static byte[] ethernetFrame(final int length, final int seed) {
        if (length < 14) {
            throw new IllegalArgumentException("length: " + length + " (expected: >= 14, an Ethernet header)");
        }
        final byte[] frame = TestBatch.frame(length, seed);
        final byte[] header = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00};
        System.arraycopy(header, 0, frame, 0, header.length);
        frame[5] = (byte) seed;
        return frame;
    }

    /** One minute before now, in nanoseconds since 1970, rounded down to the second. */
    private static long startNanos() {
        return (Instant.now().getEpochSecond() - 60) * 1_000_000_000L;
    }
}
