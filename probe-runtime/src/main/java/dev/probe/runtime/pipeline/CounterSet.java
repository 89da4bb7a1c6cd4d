package dev.probe.runtime.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Monotonic counters named by an enum, each written by a single thread and read by any.
 *
 * <p>Incrementing allocates nothing and costs a plain add and a release store; reads are acquire loads.
 * So a reader that sees a counter's value also sees everything its writer did before counting it: a
 * snapshot that reads downstream counters before upstream ones never sees a packet leave a stage
 * before it entered, on any platform.
 *
 * @param <E> the enum that names and describes the counters
 */
public final class CounterSet<E extends Enum<E>> {
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 8; // one counter per cache line
    private final long[] values;

    /** @param type the enum naming the counters */
    public CounterSet(final Class<E> type) {
        values = new long[(type.getEnumConstants().length + 1) * STRIDE];
    }

    /** Adds {@code delta}; called only by the counter's owning thread. */
    public void add(final E counter, final long delta) {
        final int i = (counter.ordinal() + 1) * STRIDE;
        VALUES.setRelease(values, i, values[i] + delta);
    }

    /** The current value; any thread. */
    public long get(final E counter) {
        return (long) VALUES.getAcquire(values, (counter.ordinal() + 1) * STRIDE);
    }
}
