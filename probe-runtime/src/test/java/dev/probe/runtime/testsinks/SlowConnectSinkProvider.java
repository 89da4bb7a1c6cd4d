package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A sink that takes {@code probe.sink.slow-connect.connect-time} to create (a cluster slow to answer at
 * start-up), then delivers at once; or, with {@code reachable = false}, fails to connect with one line.
 * Records when its last sink finished connecting.
 */
public final class SlowConnectSinkProvider implements SinkProvider {
    /** {@link System#nanoTime()} when the last sink of this JVM finished connecting. */
    public static volatile long connectedNanos;

    @Override
    public String name() {
        return "slow-connect";
    }

    @Override
    public SinkFactory configure(final Config config) {
        final Duration connect = Settings.duration(config, "probe.sink.slow-connect.connect-time", Duration.ZERO);
        final boolean reachable = Settings.bool(config, "probe.sink.slow-connect.reachable");
        final SinkFactory sinks = TestSink.factory(() -> new TestSink() {
            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBatch batch) {
                counters.onSent(batch.size());
                long bytes = 0;
                for (int i = 0; i < batch.size(); i++) {
                    bytes += batch.capturedLength(i);
                }
                counters.onDelivered(batch.size(), bytes);
            }
        });
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                final long until = System.nanoTime() + connect.toNanos();
                while (System.nanoTime() - until < 0) {
                    LockSupport.parkNanos(until - System.nanoTime());
                }
                if (!reachable) {
                    throw new ProbeException("Cannot reach the slow test destination within "
                            + connect.toMillis() + " ms (probe.sink.slow-connect.connect-time)");
                }
                final Sink sink = sinks.create(context);
                connectedNanos = System.nanoTime();
                return sink;
            }

            @Override
            public String description() {
                return "a test sink that takes " + connect.toMillis() + " ms to connect";
            }
        };
    }
}
