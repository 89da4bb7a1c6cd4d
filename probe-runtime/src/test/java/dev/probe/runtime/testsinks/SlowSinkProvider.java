package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Test sinks with a misbehaving destination. {@code slow}: every send takes {@link #SEND_TIME} (a
 * cluster that stalls past a short shutdown timeout), then delivers the burst. {@code throwing}: every
 * send counts half the burst as sent and failed, then throws.
 */
public final class SlowSinkProvider implements SinkProvider {
    /** How long each send of the slow sink takes. */
    public static final Duration SEND_TIME = Duration.ofMillis(500);
    /** Counted down when a send of the slow sink starts. */
    public static final CountDownLatch SENDING = new CountDownLatch(1);

    private final boolean throwing;

    /** The {@code slow} sink. */
    public SlowSinkProvider() {
        this(false);
    }

    SlowSinkProvider(final boolean throwing) {
        this.throwing = throwing;
    }

    /** The {@code throwing} sink, for ServiceLoader. */
    public static final class Throwing implements SinkProvider {
        private final SlowSinkProvider delegate = new SlowSinkProvider(true);

        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public SinkFactory configure(final Config config) {
            return delegate.configure(config);
        }
    }

    @Override
    public String name() {
        return "slow";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return worker -> new TestSink() {
            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBurst burst, final PacketMemory memory) {
                final int n = burst.size();
                if (throwing) {
                    counters.onSent(n / 2);
                    for (int i = 0; i < n / 2; i++) {
                        counters.onFailed(SinkFailure.OTHER);
                    }
                    throw new IllegalStateException("destination exploded");
                }
                counters.onSent(n);
                SENDING.countDown();
                final long until = System.nanoTime() + SEND_TIME.toNanos();
                while (System.nanoTime() < until) {
                    java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
                }
                for (int i = 0; i < n; i++) {
                    memory.data(burst.handle(i), burst.capturedLength(i));
                    counters.onDelivered(burst.capturedLength(i));
                }
            }
        };
    }
}
