package dev.probe.bench.harness;

import com.typesafe.config.Config;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.inject.ProbeComponent;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.pipeline.Pipeline;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.spi.Sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The real runtime pipeline (built by {@link ProbeComponent} from a configuration that
 * {@link ConfigLoader#load} resolves, exactly as {@code bin/probe run} builds it) ending in the
 * {@code bench-discard} sink, started and measured from outside.
 *
 * <p>Built, read and stopped by one controlling thread (the benchmark thread).
 */
public final class PipelineHarness implements AutoCloseable {
    private static final long STALL_NANOS = 10_000_000_000L;

    private final Pipeline pipeline;
    private final Sink[] sinks;
    private boolean stopped;

    private PipelineHarness(final Pipeline pipeline, final Sink[] sinks) {
        this.pipeline = pipeline;
        this.sinks = sinks;
    }

    /**
     * Builds and starts a pipeline from {@code overrides} ({@code path=value}, as {@code --set} takes
     * them) over every module's reference.conf; the sink is {@code bench-discard} unless they name another.
     */
    public static PipelineHarness start(final List<String> overrides) {
        final List<String> all = new ArrayList<>(overrides);
        if (all.stream().noneMatch(s -> s.startsWith("probe.sink.type="))) {
            all.add("probe.sink.type=bench-discard");
        }
        all.add("probe.stats.interval=0s");
        final Plugins plugins = Plugins.classpath();
        final Config config = ConfigLoader.load(null, all, plugins);
        CountingDiscardSinkProvider.reset();
        final Pipeline pipeline = ProbeComponent.create(config, plugins).pipeline();
        final PipelineHarness harness = new PipelineHarness(pipeline, CountingDiscardSinkProvider.sinks());
        pipeline.start();
        return harness;
    }

    /** The overrides for a worker layout such as {@code 1x2}: receive queues x transmit workers per ring. */
    public static int[] layout(final String layout) {
        final String[] parts = layout.split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** Packets every sink has delivered (read, then discarded) so far; allocates nothing. */
    public long delivered() {
        long total = 0;
        for (final Sink sink : sinks) {
            total += sink.counters().delivered();
        }
        return total;
    }

    /**
     * Waits, parking {@code parkNanos} between looks so as to leave the cores to the workers, until at
     * least {@code packets} more have been delivered.
     *
     * @return how many were delivered meanwhile
     * @throws IllegalStateException when a worker failed or nothing moved for 10 s
     */
    public long awaitDelivered(final long packets, final long parkNanos) {
        final long start = delivered();
        long last = start;
        long lastMove = System.nanoTime();
        while (true) {
            final long now = delivered();
            if (now - start >= packets) {
                return now - start;
            }
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
            } else if (System.nanoTime() - lastMove > STALL_NANOS) {
                throw new IllegalStateException("pipeline stalled at " + now + " delivered; worker failure: "
                        + pipeline.workerFailure() + "; " + pipeline.snapshot());
            }
            LockSupport.parkNanos(parkNanos);
        }
    }

    /** Every counter; allocates, so only between measurements. */
    public Snapshot snapshot() {
        return pipeline.snapshot();
    }

    /** The pipeline itself. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** Stops the pipeline cleanly (drains the rings) and returns the final counters. */
    public Snapshot stop(final Duration timeout) {
        if (!stopped) {
            stopped = true;
            try {
                pipeline.stop(System.nanoTime() + timeout.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return pipeline.snapshot();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
