package dev.probe.runtime.metrics;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code probe.sink.type = gated}: a sink whose test controls when it connects and whether its destination
 * delivers. While it does not deliver, it takes up to {@link #HELD} packets and holds them in flight. Its
 * one detail, {@code pending}, is what it holds.
 */
final class GatedSinkProvider implements SinkProvider {
    /** Most packets a sink holds while its destination does not deliver. */
    static final int HELD = 256;

    /** Counted down to let the sinks connect: until then {@code create} waits, as a slow broker would. */
    final CountDownLatch connect = new CountDownLatch(1);
    /** Whether the destination acknowledges what it is sent. */
    volatile boolean delivering = true;

    @Override
    public String name() {
        return "gated";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                try {
                    if (!connect.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never let the sink connect");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return new GatedSink();
            }

            @Override
            public String description() {
                return "a gated test sink";
            }
        };
    }

    private final class GatedSink implements Sink {
        private final SinkCounters counters = new SinkCounters();
        private volatile int pending;
        private long pendingBytes;

        @Override
        public int available() {
            return delivering ? 1024 : Math.max(0, HELD - pending);
        }

        @Override
        public void send(final PacketBatch batch) {
            final int n = batch.size();
            counters.onSent(n);
            for (int i = 0; i < n; i++) {
                pendingBytes += batch.capturedLength(i);
            }
            pending += n;
            tick();
        }

        @Override
        public void tick() {
            if (delivering) {
                deliver();
            }
        }

        private void deliver() {
            if (pending > 0) {
                counters.onDelivered(pending, pendingBytes);
                pending = 0;
                pendingBytes = 0;
            }
        }

        @Override
        public boolean flush(final Duration timeout) {
            deliver();
            return true;
        }

        @Override
        public SinkCounters counters() {
            return counters;
        }

        @Override
        public Map<String, Double> details() {
            return Map.of("pending", (double) pending);
        }

        @Override
        public void close() {
        }
    }
}
