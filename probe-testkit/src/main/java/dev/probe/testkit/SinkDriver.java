package dev.probe.testkit;

import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls a sink the way a transmit worker does, for tests that drive a sink directly: the sink is created
 * on the calling (test) thread, as the runtime creates it on its main thread, and every later call
 * ({@link Sink#available()}, {@link Sink#send}, {@link Sink#tick()}, {@link Sink#flush},
 * {@link Sink#close()}) runs on one thread of the driver's own, named after the worker, while the test
 * thread waits for it. An exception from the sink is rethrown on the test thread as it was thrown.
 *
 * <p>{@link #sendAll} is the worker's loop: it takes no more packets than {@code available()} allows,
 * hands them over as a {@link TestBatch}, releases (poisons) them as soon as {@code send} returns, and
 * while {@code available()} is 0 only ticks, never sends. {@link #send} checks that the sink counted the
 * batch as sent before returning, as the runtime relies on.
 *
 * <p>Used by one test thread; {@link #counters()} may be read from any thread.
 */
public final class SinkDriver implements AutoCloseable {
    /** How long one call may take before the driver gives up on the sink: far beyond any sane bound. */
    private static final Duration CALL_LIMIT = Duration.ofMinutes(2);

    private final Sink sink;
    private final SinkContext context;
    private final ExecutorService worker;
    private long maxAvailable;
    private boolean closed;

    /**
     * Creates the sink through {@code factory} on the calling thread.
     *
     * @throws RuntimeException whatever {@link SinkFactory#create} threw
     */
    public SinkDriver(final SinkFactory factory, final SinkContext context) {
        this.context = context;
        this.sink = factory.create(context);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, context.workerName());
            t.setDaemon(true);
            return t;
        });
    }

    /** The sink itself: call its methods only through the driver, except {@code counters()} and {@code details()}. */
    public Sink sink() {
        return sink;
    }

    /** The context the sink was created with. */
    public SinkContext context() {
        return context;
    }

    /** The sink's counters; any thread. */
    public SinkCounters counters() {
        return sink.counters();
    }

    /** The largest {@link Sink#available()} result seen so far. */
    public long maxAvailable() {
        return maxAvailable;
    }

    /** {@link Sink#available()}, on the worker thread; fails the test on a negative result. */
    public int available() {
        final int room = call(sink::available);
        if (room < 0) {
            throw new AssertionError("available() returned " + room + ": it must never be negative");
        }
        maxAvailable = Math.max(maxAvailable, room);
        return room;
    }

    /**
     * {@link Sink#send} of {@code batch} on the worker thread, then {@link TestBatch#release()}: the batch's
     * bytes are poisoned and further reads fail, as when the runtime gives the packets back to their source.
     */
    public void send(final TestBatch batch) {
        final long sentBefore = counters().sent();
        try {
            call(() -> {
                sink.send(batch);
                return null;
            });
        } finally {
            batch.release();
        }
        final long counted = counters().sent() - sentBefore;
        if (counted != batch.size()) {
            throw new AssertionError("send() of " + batch.size() + " packets counted " + counted + " as sent: a sink counts"
                    + " every packet it is given (SinkCounters.onSent) before send() returns");
        }
    }

    /** {@link Sink#tick()} on the worker thread. */
    public void tick() {
        call(() -> {
            sink.tick();
            return null;
        });
    }

    /** {@link Sink#flush} on the worker thread. */
    public boolean flush(final Duration timeout) {
        return call(() -> sink.flush(timeout));
    }

    /** {@link Sink#close()} on the worker thread. */
    public void closeSink() {
        closed = true;
        call(() -> {
            sink.close();
            return null;
        });
    }

    /**
     * Sends {@code records} as a transmit worker would: asks {@link Sink#available()} before each batch, sends
     * at most that many and at most {@code burstSize}, releases each batch when {@code send} returns, and while
     * {@code available()} is 0 calls only {@link Sink#tick()}, every {@link SinkContext#tickInterval()}, until
     * the sink admits packets again.
     *
     * @param giveUpAfter how long the sink may admit nothing before the test fails
     * @return how many batches were sent
     * @throws AssertionError when the sink admitted nothing for {@code giveUpAfter}
     */
    public int sendAll(final List<CaptureFile.Record> records, final int burstSize, final Duration giveUpAfter) {
        int batches = 0;
        int next = 0;
        while (next < records.size()) {
            final int room = awaitRoom(giveUpAfter, records.size() - next);
            final int n = Math.min(Math.min(room, burstSize), records.size() - next);
            send(TestBatch.of(records.subList(next, next + n)));
            next += n;
            batches++;
        }
        return batches;
    }

    /**
     * Calls {@link Sink#available()} until it is above 0, ticking in between as the worker does.
     *
     * @return the room available() reported
     */
    private int awaitRoom(final Duration giveUpAfter, final int wanted) {
        final long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            final int room = available();
            if (room > 0) {
                return room;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("available() stayed 0 for " + giveUpAfter.toMillis() + " ms with " + wanted
                        + " packets waiting and " + counters().inFlight() + " in flight: a sink that admits nothing must"
                        + " get room back by itself (deliveries, tick()), since the worker sends it nothing meanwhile");
            }
            tick();
            LockSupport.parkNanos(Math.min(context.tickInterval().toNanos(), TimeUnit.MILLISECONDS.toNanos(10)));
        }
    }

    /** Runs {@code action} on the worker thread and returns its result; rethrows what it threw. */
    public <T> T call(final Callable<T> action) {
        final Future<T> result = worker.submit(action);
        try {
            return result.get(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sink was called", e);
        } catch (java.util.concurrent.TimeoutException e) {
            result.cancel(true);
            throw new AssertionError("a call of the sink took more than " + CALL_LIMIT.toMinutes()
                    + " minutes: a sink must never block beyond its own bound");
        }
    }

    /** Closes the sink unless the test did, and stops the worker thread. */
    @Override
    public void close() {
        try {
            if (!closed) {
                closeSink();
            }
        } finally {
            worker.shutdownNow();
        }
    }
}
