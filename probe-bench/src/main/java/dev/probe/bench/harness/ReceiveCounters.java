package dev.probe.bench.harness;

import dev.probe.runtime.pipeline.Pipeline;
import dev.probe.runtime.pipeline.ReceiveCounter;
import dev.probe.runtime.pipeline.ReceiveWorker;

import java.lang.reflect.Field;
import java.util.List;

/**
 * Allocation-free reads of the receive workers' counters of a running {@link Pipeline}.
 * {@link Pipeline#snapshot()} builds maps and lists, and the pipeline exposes its workers no other way,
 * so the worker list is taken once by reflection; the counters themselves are the workers' own.
 */
public final class ReceiveCounters {
    private final ReceiveWorker[] workers;

    /** Reads the pipeline's receive workers. */
    public ReceiveCounters(final Pipeline pipeline) {
        try {
            final Field field = Pipeline.class.getDeclaredField("receivers");
            field.setAccessible(true);
            workers = ((List<?>) field.get(pipeline)).toArray(new ReceiveWorker[0]);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Pipeline no longer has a receivers field: update " + ReceiveCounters.class, e);
        }
    }

    /** The sum of {@code counter} over every receive worker. Any thread; allocates nothing. */
    public long sum(final ReceiveCounter counter) {
        long total = 0;
        for (final ReceiveWorker w : workers) {
            total += w.counters().get(counter);
        }
        return total;
    }
}
