package dev.probe.spi;

import java.time.Duration;

/**
 * What a sink learns about the run when it is created: which worker it serves and what the source
 * captures. Given to {@link SinkFactory#create} on the main thread; immutable.
 */
public interface SinkContext {

    /** The transmit worker's role name, such as {@code tx-0-1} (ring 0, worker 1): for client ids, file names and logs. */
    String workerName();

    /**
     * Whether the source is live (a NIC, an interface): it drops what the probe does not take in time.
     * A source that is not live (a file) waits to be read, so a sink that cannot deliver now should
     * push back through {@link Sink#available()} rather than fail packets.
     */
    boolean sourceIsLive();

    /** The source's link type, a {@link dev.probe.api.LinkType} value ({@code 1} for Ethernet). */
    int linkType();

    /**
     * Nanoseconds since the epoch of the first packet to come: the first record of a capture file, or
     * the time capture starts for a live source. For checks such as a destination's retention.
     */
    long captureStartNanos();

    /** The longest time between two {@link Sink#tick()} calls while the worker runs. */
    Duration tickInterval();
}
