package dev.probe.source.pcap;

import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.source.pcap.internal.PcapRecordReader;
import dev.probe.spi.ReceiveQueue;

import java.io.IOException;

/**
 * The one receive queue of a pcap handle. Polled by exactly one receive worker; the counters are read
 * by the stats thread.
 *
 * <p>A packet is taken only into the next slot in sequence. When that slot is still held, a capture
 * file is not read further (the poll returns what it has, possibly 0), while a live packet is still
 * read from the kernel, so the kernel buffer keeps draining, and dropped as {@code no-buffer}.
 */
final class PcapReceiveQueue implements ReceiveQueue {
    private final PcapRecordReader reader;
    private final OversizedRecords oversized;
    private final int snaplen;
    private final PacketSlots slots;
    private final boolean live;
    private final String name;
    private final String setting;

    private int cursor;
    private boolean ended;
    private ProbeException failure;
    /** Written by the receive worker only, read by the stats thread. */
    private volatile long packets;
    /** Written by the receive worker only, read by the stats thread. */
    private volatile long noBufferDrops;
    private volatile boolean closed;

    /**
     * @param name what is read, for messages: {@code "Capture file /x.pcap"}, {@code "Capture on interface lo"}
     * @param oversized restores records libpcap cut to {@code snaplen}, null when not a classic pcap file
     * @param setting the setting that names it
     */
    PcapReceiveQueue(final PcapRecordReader reader, final OversizedRecords oversized, final int snaplen,
                     final PacketSlots slots, final boolean live, final String name, final String setting) {
        this.reader = reader;
        this.oversized = oversized;
        this.snaplen = snaplen;
        this.slots = slots;
        this.live = live;
        this.name = name;
        this.setting = setting;
    }

    @Override
    public int id() {
        return 0;
    }

    /**
     * Receive worker: appends what pcap has now, up to {@link PacketBurst#remaining()}.
     *
     * @return packets appended, 0 when none are waiting or every slot is held, {@link #END_OF_INPUT}
     *         after the last packet of a file
     * @throws ProbeException on the poll after the last good packet of a damaged file, or when live
     *         capture fails
     */
    @Override
    public int poll(final PacketBurst burst) {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (ended) {
            return END_OF_INPUT;
        }
        final int room = burst.remaining();
        final int capacity = slots.capacity();
        int appended = 0;
        int dropped = 0;
        for (int i = 0; i < room; i++) {
            final boolean free = slots.isFree(cursor);
            if (!free && !live) {
                break;
            }
            final int rc = reader.next();
            if (rc == PcapRecordReader.RECORD) {
                if (!free) {
                    dropped++;
                    continue;
                }
                final long timestamp;
                try {
                    timestamp = reader.timestampNanos();
                } catch (ArithmeticException e) {
                    failure = damaged(appended, "time stamp of " + reader.seconds()
                            + " s since 1970 is after 2262-04-11, beyond 64-bit nanoseconds");
                    break;
                }
                final int wireLength = reader.wireLength();
                byte[] bytes = null;
                if (oversized != null && reader.capturedLength() == snaplen && snaplen < wireLength) {
                    try {
                        bytes = oversized.fullRecord(reader.filePosition(), snaplen);
                    } catch (IOException e) {
                        failure = damaged(appended, e.getMessage());
                        break;
                    }
                }
                if (bytes == null) {
                    bytes = new byte[reader.capturedLength()];
                    reader.copyData(bytes, bytes.length);
                }
                slots.fill(cursor, bytes);
                burst.add(timestamp, bytes.length, wireLength, cursor);
                cursor = cursor + 1 == capacity ? 0 : cursor + 1;
                appended++;
            } else if (rc == PcapRecordReader.NONE) {
                break;
            } else if (rc == PcapRecordReader.END) {
                ended = true;
                break;
            } else {
                failure = damaged(appended, reader.lastError());
                break;
            }
        }
        if (appended > 0) {
            packets = packets + appended;
        }
        if (dropped > 0) {
            noBufferDrops = noBufferDrops + dropped;
        }
        if (appended > 0) {
            return appended;
        }
        if (failure != null) {
            throw failure;
        }
        return ended ? END_OF_INPUT : 0;
    }

    /** Packets handed out so far; any thread. */
    long packets() {
        return packets;
    }

    /** Live packets dropped because every slot was held; any thread. */
    long noBufferDrops() {
        return noBufferDrops;
    }

    /** Stops later polls from touching the closed handle. */
    void markClosed() {
        closed = true;
    }

    private ProbeException damaged(final int appended, final String problem) {
        final long before = packets + appended;
        final String what = live
                ? name + " failed after " + before + " packets: "
                : name + " is damaged after " + before + " packets: ";
        return new ProbeException(what + PcapSettings.oneLine(problem) + " (" + setting + ")");
    }
}
