package dev.probe.runtime.testsinks;

import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The parts every test sink shares: its counters, an instant flush, a close that is counted. */
abstract class TestSink implements Sink {
    /** Sinks of any test provider closed so far in this JVM. */
    static final AtomicInteger CLOSED = new AtomicInteger();

    final SinkCounters counters = new SinkCounters();
    private boolean closed;

    @Override
    public boolean flush(final Duration timeout) {
        return counters.inFlight() == 0;
    }

    @Override
    public SinkCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CLOSED.incrementAndGet();
        }
    }

    /** Sinks of any test provider closed so far in this JVM. */
    public static int closed() {
        return CLOSED.get();
    }

    /** A factory making a new sink from {@code sink} for every worker. */
    static SinkFactory factory(final Supplier<Sink> sink) {
        return factory(Duration.ofMinutes(2), sink);
    }

    /** A factory making a new sink from {@code sink} for every worker, with its delivery timeout. */
    static SinkFactory factory(final Duration deliveryTimeout, final Supplier<Sink> sink) {
        return new SinkFactory() {
            @Override
            public Duration deliveryTimeout() {
                return deliveryTimeout;
            }

            @Override
            public Sink create(final SinkContext context) {
                return sink.get();
            }

            @Override
            public String description() {
                return "a test sink";
            }
        };
    }
}
