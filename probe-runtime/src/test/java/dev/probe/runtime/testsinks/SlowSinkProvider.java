package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * A sink whose destination stalls: every send takes {@link #SEND_TIME} (a cluster that stalls past a
 * short shutdown timeout), then delivers the burst.
 */
public final class SlowSinkProvider implements SinkProvider {
    /** How long each send takes. */
    public static final Duration SEND_TIME = Duration.ofMillis(500);
    /** Counted down when a send starts. */
    public static final CountDownLatch SENDING = new CountDownLatch(1);

    @Override
    public String name() {
        return "slow";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return TestSink.factory(() -> new TestSink() {
            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBatch batch) {
                final int n = batch.size();
                counters.onSent(n);
                SENDING.countDown();
                final long until = System.nanoTime() + SEND_TIME.toNanos();
                while (System.nanoTime() - until < 0) {
                    LockSupport.parkNanos(until - System.nanoTime());
                }
                long bytes = 0;
                for (int i = 0; i < n; i++) {
                    bytes += batch.data(i).byteSize();
                }
                counters.onDelivered(n, bytes);
            }
        });
    }
}
