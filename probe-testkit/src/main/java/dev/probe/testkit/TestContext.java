package dev.probe.testkit;

import dev.probe.api.LinkType;
import dev.probe.spi.SinkContext;

import java.time.Duration;
import java.time.Instant;

/**
 * A {@link SinkContext} for creating a sink directly in a test. Immutable.
 *
 * @param workerName such as {@code tx-0-0}
 * @param sourceIsLive whether the pretended source is live
 * @param linkType its link type
 * @param captureStartNanos epoch nanoseconds of its first packet
 * @param tickInterval the longest time between two ticks
 */
public record TestContext(String workerName, boolean sourceIsLive, int linkType, long captureStartNanos,
                          Duration tickInterval) implements SinkContext {

    /** Worker {@code workerName} of a live Ethernet source starting now, ticks every 100 ms. */
    public static TestContext worker(final String workerName) {
        final Instant now = Instant.now();
        return new TestContext(workerName, true, LinkType.ETHERNET, now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                Duration.ofMillis(100));
    }

    /** This context with a source that is live or not. */
    public TestContext live(final boolean live) {
        return new TestContext(workerName, live, linkType, captureStartNanos, tickInterval);
    }

    /** This context with another first-packet time. */
    public TestContext startingAt(final long epochNanos) {
        return new TestContext(workerName, sourceIsLive, linkType, epochNanos, tickInterval);
    }

    /** This context with ticks at most {@code interval} apart. */
    public TestContext ticking(final Duration interval) {
        return new TestContext(workerName, sourceIsLive, linkType, captureStartNanos, interval);
    }

    /** This context with another link type. */
    public TestContext linkType(final int type) {
        return new TestContext(workerName, sourceIsLive, type, captureStartNanos, tickInterval);
    }
}
