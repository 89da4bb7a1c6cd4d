package dev.probe.runtime.metrics;

import dev.probe.runtime.stats.Snapshot;

import java.time.Duration;
import java.util.Locale;

/**
 * Whether the probe is ready, as {@code /ready} and {@code probe_ready} report it: the pipeline has started
 * (every sink connected) and is not stopping, and the sinks are delivering: packets have not been in flight
 * for longer than {@code probe.metrics.delivery-stall-timeout} with none delivered.
 *
 * <p>The run's control thread reports the phases and {@link #sample samples} the counters; any thread (an
 * HTTP request) reads {@link #status}.
 */
public final class Readiness {
    /** What {@code /ready} answers. */
    public record Status(boolean ready, String reason) {
    }

    private enum Phase { STARTING, RUNNING, STOPPING }

    private final Duration stallTimeout;
    private volatile Phase phase = Phase.STARTING;
    private volatile long delivered = -1;
    private volatile long inFlight;
    /** The last sample at which a packet was delivered or none was in flight. */
    private volatile long lastMoveNanos;

    /** @param stallTimeout {@code probe.metrics.delivery-stall-timeout} */
    public Readiness(final Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
    }

    /** How often the control thread should {@link #sample}: a tenth of the stall timeout, 10 ms to 1 s. */
    public Duration samplePeriod() {
        final long tenth = stallTimeout.toNanos() / 10;
        return Duration.ofNanos(Math.clamp(tenth, Duration.ofMillis(10).toNanos(), Duration.ofSeconds(1).toNanos()));
    }

    /** The pipeline has started: every sink was created and connected. Control thread. */
    public void running(final long nowNanos) {
        lastMoveNanos = nowNanos;
        phase = Phase.RUNNING;
    }

    /** The run is stopping: capture has ended or is ending. Control thread. */
    public void stopping() {
        phase = Phase.STOPPING;
    }

    /** Records the counters at {@code nowNanos}. Control thread. */
    public void sample(final Snapshot snapshot, final long nowNanos) {
        final long d = snapshot.delivered();
        final long f = snapshot.inFlight();
        if (d != delivered || f == 0) {
            lastMoveNanos = nowNanos;
        }
        delivered = d;
        inFlight = f;
    }

    /** Ready or not, and why. Any thread. */
    public Status status(final long nowNanos) {
        return switch (phase) {
            case STARTING -> new Status(false, "starting: opening the source and connecting the sinks");
            case STOPPING -> new Status(false, "stopping: capture has ended");
            case RUNNING -> {
                final long waited = nowNanos - lastMoveNanos;
                final long held = inFlight;
                if (held > 0 && waited > stallTimeout.toNanos()) {
                    yield new Status(false, String.format(Locale.ROOT,
                            "stalled: %d packets in flight and none delivered for %.1f s (probe.metrics.delivery-stall-timeout %s)",
                            held, waited / 1e9, human(stallTimeout)));
                }
                yield new Status(true, "ready: capturing and delivering");
            }
        };
    }

    private static String human(final Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
