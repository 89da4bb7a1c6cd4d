package dev.probe.testkit;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a sink provider so that every sink it creates watches how the runtime calls it, against the
 * {@link Sink} Javadoc: {@link Sink#available()}, {@link Sink#send}, {@link Sink#tick()},
 * {@link Sink#flush} and {@link Sink#close()} on one thread, never two at once; no batch larger than the
 * last {@code available()} result and none empty; nothing sent after {@code flush}, nothing at all after
 * {@code close}, and {@code close} once. What it sees breaks the contract goes to {@link #violations()};
 * the sink's behaviour is unchanged. Used by {@link PipelineRun}.
 *
 * <p>Thread-safe: the wrapped sinks are called by their workers, {@link #violations()} by the test.
 */
final class ContractCheckingSinkProvider implements SinkProvider {
    private final SinkProvider delegate;
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final Queue<String> calls = new ConcurrentLinkedQueue<>();

    ContractCheckingSinkProvider(final SinkProvider delegate) {
        this.delegate = delegate;
    }

    /** What broke the contract, one line each, in the order seen. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** Per sink, after its close: how often each method was called and on which thread. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<String> freeFormPaths() {
        return delegate.freeFormPaths();
    }

    @Override
    public SinkFactory configure(final Config config) {
        final SinkFactory factory = delegate.configure(config);
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return new CheckingSink(context.workerName(), factory.create(context));
            }

            @Override
            public String description() {
                return factory.description();
            }

            @Override
            public Duration deliveryTimeout() {
                return factory.deliveryTimeout();
            }

            @Override
            public List<String> checkDestination() {
                return factory.checkDestination();
            }
        };
    }

    /** One worker's sink, checked. */
    private final class CheckingSink implements Sink {
        private final String worker;
        private final Sink sink;
        private final AtomicInteger active = new AtomicInteger();
        private volatile Thread owner;
        private int lastAvailable;
        private boolean flushed;
        private boolean closed;
        private long availableCalls;
        private long sends;
        private long ticks;
        private long flushes;
        private long closes;

        CheckingSink(final String worker, final Sink sink) {
            this.worker = worker;
            this.sink = sink;
        }

        private void enter(final String method) {
            if (active.incrementAndGet() != 1) {
                violation(method + " called while another call of this sink was running");
            }
            final Thread current = Thread.currentThread();
            if (owner == null) {
                owner = current;
            } else if (owner != current) {
                violation(method + " called on thread " + current.getName() + ", earlier calls on " + owner.getName()
                        + ": all but counters() and details() come from one worker thread");
            }
            if (closed && !method.equals("close()")) {
                violation(method + " called after close()");
            }
        }

        private void exit() {
            active.decrementAndGet();
        }

        private void violation(final String what) {
            violations.add(worker + ": " + what);
        }

        @Override
        public int available() {
            enter("available()");
            try {
                availableCalls++;
                final int room = sink.available();
                if (room < 0) {
                    violation("available() returned " + room + ": never negative");
                }
                lastAvailable = room;
                return room;
            } finally {
                exit();
            }
        }

        @Override
        public void send(final PacketBatch batch) {
            enter("send()");
            try {
                sends++;
                if (batch.size() < 1) {
                    violation("send() given an empty batch");
                }
                if (batch.size() > lastAvailable) {
                    violation("send() given " + batch.size() + " packets, but the last available() was " + lastAvailable);
                }
                if (flushed) {
                    violation("send() called after flush(): flush comes once the ring is drained");
                }
                sink.send(batch);
            } finally {
                exit();
            }
        }

        @Override
        public void tick() {
            enter("tick()");
            try {
                ticks++;
                sink.tick();
            } finally {
                exit();
            }
        }

        @Override
        public boolean flush(final Duration timeout) {
            enter("flush()");
            try {
                flushes++;
                flushed = true;
                return sink.flush(timeout);
            } finally {
                exit();
            }
        }

        @Override
        public SinkCounters counters() {
            return sink.counters();
        }

        @Override
        public Map<String, Double> details() {
            return sink.details();
        }

        @Override
        public void close() {
            enter("close()");
            try {
                closes++;
                if (closes > 1) {
                    violation("close() called " + closes + " times: the runtime closes a sink once");
                }
                closed = true;
                sink.close();
            } finally {
                exit();
                calls.add(worker + " on " + (owner == null ? "no thread" : owner.getName()) + ": available() " + availableCalls
                        + ", send() " + sends + ", tick() " + ticks + ", flush() " + flushes + ", close() " + closes);
            }
        }
    }
}
