package dev.probe.spi;

import dev.probe.api.LinkType;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * An opened capture device or file that exposes one or more receive queues.
 *
 * <p>Opened once by the runtime on the main thread; each {@link ReceiveQueue} is then polled by exactly
 * one receive worker thread, and packets it produced are read and released through {@link #memory()}
 * by whichever worker holds them. Counters are read by the stats thread.
 */
public interface CaptureSource extends AutoCloseable {

    /** What was opened, for logs: {@code "pcap file /tmp/a.pcap"}, {@code "dpdk port 0 (net_pcap0)"}. */
    String description();

    /** The receive queues, indexed from 0; the list never changes after open. */
    List<? extends ReceiveQueue> queues();

    /**
     * Whether packets arrive on their own, whether or not the probe keeps up (a NIC, a live interface).
     * A live source's packets are dropped and counted as {@code ring-full} when a transmit ring is full.
     * A source that waits to be read (a file, a generator) returns false: its receive workers then take
     * no more than their rings have room for, so nothing is dropped.
     */
    boolean isLive();

    /** The link-layer header type of every packet, a {@link LinkType} value; Ethernet by default. */
    default int linkType() {
        return LinkType.ETHERNET;
    }

    /**
     * The capture time, in nanoseconds since the epoch, of the first packet to come, when the source
     * knows it before capture starts (the first record of a file); empty for a live source, whose
     * packets carry the time they arrive. Lets a sink check, before sending, that its destination will
     * keep packets of that time.
     */
    default OptionalLong firstTimestampNanos() {
        return OptionalLong.empty();
    }

    /** Reads and releases the packets this source's queues produce. */
    PacketMemory memory();

    /**
     * Packets that reached the source but that it could not hand to the probe, by reason
     * ({@code "kernel"}, {@code "nic-missed"}, {@code "no-buffer"}), as monotonic totals. Called by the
     * stats thread; may allocate.
     */
    Map<String, Long> drops();

    /**
     * Further monotonic counters worth showing (device packets, errors), by name. Informational: they
     * are not part of the accounting. Called by the stats thread; may allocate.
     */
    default Map<String, Long> details() {
        return Map.of();
    }

    /**
     * Releases the device or file. Called once every worker has stopped and every packet has been
     * released; a second call does nothing.
     */
    @Override
    void close();
}
