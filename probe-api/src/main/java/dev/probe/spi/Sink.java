package dev.probe.spi;

import java.time.Duration;
import java.util.Map;

/**
 * Where captured packets go. One instance per transmit worker, created by {@link SinkFactory#create}.
 *
 * <h2>Threads and order</h2>
 * {@link SinkFactory#create} runs on the main thread at start-up, before capture starts. From then on
 * every method except {@link #counters()} and {@link #details()} is called only by the sink's own
 * transmit worker thread, never concurrently: {@link #available()}, {@link #send} and {@link #tick()}
 * while the run lasts; then, at stop, once the worker has drained its ring, {@link #flush} (repeatedly,
 * each call with a slice of the remaining time, until it returns true or the stop's deadline passes) and
 * {@link #close()} once, both on that same thread. When start-up fails before the worker's thread
 * started, {@link #close()} is called on the main thread instead. {@link #counters()} and
 * {@link #details()} are read by any thread (stats lines, metrics scrapes).
 *
 * <h2>Accounting</h2>
 * Every packet given to {@link #send} is counted in {@link #counters()}: as sent, then as delivered or
 * failed with a {@link SinkFailure}. After {@link #close()} nothing is left in flight.
 *
 * <h2>Exceptions</h2>
 * A sink reports a destination's errors through its counters, never by throwing. An exception out of
 * any method is a bug in the sink: the runtime counts the packets the sink had not accounted for as
 * {@code sink-error}, prints the exception once, and ends the run with exit status 1. It still calls
 * this sink's {@link #flush} and {@link #close}, and the other sinks and the source stop normally.
 */
public interface Sink extends AutoCloseable {

    /**
     * How many packets {@link #send} accepts now without exceeding the sink's own bound (packets or
     * bytes in flight, a full buffer). The worker takes no more than this from its ring, so a slow
     * destination pushes back onto the ring instead of blocking the worker. 0 when the sink cannot take
     * anything now; never negative.
     */
    int available();

    /**
     * Sends every packet of {@code batch}, at most the last {@link #available()} result. Copies what it
     * keeps before returning: the packets are released right after. Never blocks beyond the sink's own
     * configured bound.
     */
    void send(PacketBatch batch);

    /**
     * Called by the worker thread at least every {@link SinkContext#tickInterval()} while the run lasts,
     * whether or not packets arrive: for work driven by time, such as writing out a batch that has
     * lingered long enough or rotating a file. Does nothing by default.
     */
    default void tick() {
    }

    /**
     * At stop: waits up to {@code timeout} for every packet sent so far to be delivered or failed. May be
     * called again after it returned false, with a new timeout; nothing is sent in between.
     *
     * @return true when nothing is in flight any more
     */
    boolean flush(Duration timeout);

    /** This sink's counters; read by any thread. */
    SinkCounters counters();

    /**
     * Further values worth showing (a client's send rate, latency, free buffer, files written), by name,
     * as they are now: gauges, not part of the accounting. Called by the stats and metrics threads; may
     * allocate. Empty by default.
     */
    default Map<String, Double> details() {
        return Map.of();
    }

    /**
     * Closes the destination. Packets still in flight are counted as failed with
     * {@link SinkFailure#SHUTDOWN}, so that afterwards {@code sent = delivered + failed}. A second call
     * does nothing.
     */
    @Override
    void close();
}
