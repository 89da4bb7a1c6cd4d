package dev.probe.spi;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Monotonic counters of one sink: packets sent (handed to the client), delivered (acknowledged) and
 * failed by {@link SinkFailure}. Updated without allocation by the transmit worker and by the client's
 * callback thread; read by any thread.
 */
public final class SinkCounters {
    private static final int SENT = 0;
    private static final int DELIVERED = 1;
    private static final int BYTES_DELIVERED = 2;
    private static final int FIRST_FAILURE = 3;
    private static final SinkFailure[] FAILURES = SinkFailure.values();

    // Spread over cache lines: sent is written by the worker, the rest by the client's callbacks.
    private static final int STRIDE = 8;
    private final AtomicLongArray values = new AtomicLongArray((FIRST_FAILURE + FAILURES.length) * STRIDE);

    /** Counts {@code n} packets handed to the client. */
    public void onSent(final int n) {
        values.getAndAdd(SENT * STRIDE, n);
    }

    /** Counts one packet of {@code bytes} acknowledged by the destination. */
    public void onDelivered(final int bytes) {
        values.getAndIncrement(DELIVERED * STRIDE);
        values.getAndAdd(BYTES_DELIVERED * STRIDE, bytes);
    }

    /** Counts {@code packets} packets, {@code bytes} in all, acknowledged at once. */
    public void onDelivered(final int packets, final long bytes) {
        values.getAndAdd(DELIVERED * STRIDE, packets);
        values.getAndAdd(BYTES_DELIVERED * STRIDE, bytes);
    }

    /** Counts one packet that will not be delivered. */
    public void onFailed(final SinkFailure reason) {
        values.getAndIncrement((FIRST_FAILURE + reason.ordinal()) * STRIDE);
    }

    /** Packets handed to the client. */
    public long sent() {
        return values.get(SENT * STRIDE);
    }

    /** Packets acknowledged. */
    public long delivered() {
        return values.get(DELIVERED * STRIDE);
    }

    /** Bytes of acknowledged packets. */
    public long bytesDelivered() {
        return values.get(BYTES_DELIVERED * STRIDE);
    }

    /** Packets failed for {@code reason}. */
    public long failed(final SinkFailure reason) {
        return values.get((FIRST_FAILURE + reason.ordinal()) * STRIDE);
    }

    /** Packets failed for any reason. */
    public long failed() {
        long total = 0;
        for (final SinkFailure reason : FAILURES) {
            total += failed(reason);
        }
        return total;
    }

    /** Failures by reason, zero counts included; allocates, so for the stats thread. */
    public Map<SinkFailure, Long> failedByReason() {
        final Map<SinkFailure, Long> result = new EnumMap<>(SinkFailure.class);
        for (final SinkFailure reason : FAILURES) {
            result.put(reason, failed(reason));
        }
        return result;
    }

    /**
     * Packets sent but neither delivered nor failed yet. Reads the outcomes before {@code sent}, so the
     * result is never negative while packets are moving.
     */
    public long inFlight() {
        final long done = delivered() + failed();
        return sent() - done;
    }
}
