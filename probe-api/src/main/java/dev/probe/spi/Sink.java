package dev.probe.spi;

import dev.probe.api.PacketBurst;

import java.time.Duration;

/**
 * Where captured packets go. One instance per transmit worker, so each worker has its own connection;
 * every method but {@link #counters()} is called only by that worker's thread.
 */
public interface Sink extends AutoCloseable {

    /**
     * How many packets {@link #send} accepts now without exceeding the sink's bound on packets in flight.
     * The transmit worker takes no more than this from its ring, so a slow destination pushes back onto
     * the ring (where overflow is counted as {@code ring-full}) instead of blocking the worker.
     */
    int available();

    /**
     * Sends every packet of {@code burst}, reading its bytes through {@code memory}. Copies what it needs
     * before returning: the caller releases the packets right after. Never blocks beyond the sink's own
     * configured bound. Each packet ends up counted in {@link #counters()}: sent, then later delivered or
     * failed with a reason.
     */
    void send(PacketBurst burst, PacketMemory memory);

    /**
     * Waits up to {@code timeout} for every packet sent so far to be delivered or failed.
     *
     * @return true when nothing is in flight any more
     */
    boolean flush(Duration timeout);

    /** This sink's counters; read by any thread. */
    SinkCounters counters();

    /**
     * Closes the connection. Packets still in flight are counted as failed with
     * {@link SinkFailure#SHUTDOWN}. A second call does nothing.
     */
    @Override
    void close();
}
