package dev.probe.spi;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The accounting of one sink, in packets: how many it was given ({@link #sent()}), how many the
 * destination acknowledged ({@link #delivered()}, with their bytes) and how many failed, by
 * {@link SinkFailure}, with the first error message of each reason. {@code sent - delivered - failed}
 * is what is in flight.
 *
 * <p>Thread-safe: updated by the sink's worker thread and by a client's callback threads, read by any
 * thread. Counting allocates nothing; only the first message of a reason is kept, so a failure storm
 * formats one message per reason.
 */
public final class SinkCounters {
    // Index 0 stays unused, so that no counter shares a cache line with the array's header or with
    // whatever lies before the array in memory.
    private static final int SENT = 1;
    private static final int DELIVERED = 2;
    private static final int BYTES_DELIVERED = 3;
    private static final int FIRST_FAILURE = 4;
    private static final SinkFailure[] FAILURES = SinkFailure.values();
    /** The longest first-error message kept, in characters. */
    private static final int MAX_MESSAGE = 300;

    // Spread over cache lines: sent is written by the worker, the rest mostly by the client's callbacks.
    private static final int STRIDE = 8;
    private final AtomicLongArray values = new AtomicLongArray((FIRST_FAILURE + FAILURES.length) * STRIDE);
    private final AtomicReferenceArray<String> firstErrors = new AtomicReferenceArray<>(FAILURES.length);

    /** Counts {@code packets} packets the sink was given by {@link Sink#send}. */
    public void onSent(final int packets) {
        values.getAndAdd(SENT * STRIDE, packets);
    }

    /** Counts {@code packets} packets, {@code bytes} bytes of captured data in all, acknowledged by the destination. */
    public void onDelivered(final int packets, final long bytes) {
        values.getAndAdd(DELIVERED * STRIDE, packets);
        values.getAndAdd(BYTES_DELIVERED * STRIDE, bytes);
    }

    /** Counts {@code packets} packets that will not be delivered, for {@code reason}. */
    public void onFailed(final SinkFailure reason, final int packets) {
        values.getAndAdd((FIRST_FAILURE + reason.ordinal()) * STRIDE, packets);
    }

    /**
     * Counts {@code packets} failed packets and, when it is the first error of {@code reason}, keeps
     * {@code cause} as that reason's message: {@code "SimpleClassName: message"}.
     */
    public void onFailed(final SinkFailure reason, final int packets, final Throwable cause) {
        if (firstErrors.get(reason.ordinal()) == null && cause != null) {
            remember(reason, describe(cause));
        }
        onFailed(reason, packets);
    }

    /** Counts {@code packets} failed packets and keeps {@code message} if it is the first error of {@code reason}. */
    public void onFailed(final SinkFailure reason, final int packets, final String message) {
        if (firstErrors.get(reason.ordinal()) == null && message != null) {
            remember(reason, message);
        }
        onFailed(reason, packets);
    }

    private void remember(final SinkFailure reason, final String message) {
        final String line = message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        firstErrors.compareAndSet(reason.ordinal(), null,
                line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE - 3) + "..." : line);
    }

    /** {@code "SimpleClassName: message"} of {@code cause}, or of its cause when it only wraps one. */
    public static String describe(final Throwable cause) {
        Throwable t = cause;
        while (t.getMessage() == null && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        final String name = t.getClass().getSimpleName();
        return t.getMessage() == null ? name : name + ": " + t.getMessage();
    }

    /** Packets given to the sink. */
    public long sent() {
        return values.get(SENT * STRIDE);
    }

    /** Packets acknowledged by the destination. */
    public long delivered() {
        return values.get(DELIVERED * STRIDE);
    }

    /** Captured bytes of the acknowledged packets. */
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

    /** The first error message counted for {@code reason}, or null when none was given. */
    public String firstError(final SinkFailure reason) {
        return firstErrors.get(reason.ordinal());
    }

    /** Failures by reason, zero counts included; allocates, so for the stats thread. */
    public Map<SinkFailure, Long> failedByReason() {
        final Map<SinkFailure, Long> result = new EnumMap<>(SinkFailure.class);
        for (final SinkFailure reason : FAILURES) {
            result.put(reason, failed(reason));
        }
        return result;
    }

    /** The first error message of each reason that has one; allocates, so for the stats thread. */
    public Map<SinkFailure, String> firstErrors() {
        final Map<SinkFailure, String> result = new EnumMap<>(SinkFailure.class);
        for (final SinkFailure reason : FAILURES) {
            final String message = firstError(reason);
            if (message != null) {
                result.put(reason, message);
            }
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
