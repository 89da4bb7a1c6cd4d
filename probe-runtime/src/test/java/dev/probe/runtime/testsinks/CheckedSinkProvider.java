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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink with a destination to check, for {@code probe check --connect}: reports two lines about
 * {@code probe.sink.checked.address}, or refuses with one line when {@code reachable} is false.
 */
public final class CheckedSinkProvider implements SinkProvider {
    /** Calls of checkDestination in this JVM. */
    public static final AtomicInteger CHECKS = new AtomicInteger();

    @Override
    public String name() {
        return "checked";
    }

    @Override
    public SinkFactory configure(final Config config) {
        final String address = Settings.nonEmptyString(config, "probe.sink.checked.address");
        final boolean reachable = Settings.bool(config, "probe.sink.checked.reachable");
        final SinkFactory sinks = TestSink.factory(() -> new TestSink() {
            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBatch batch) {
                counters.onSent(batch.size());
                counters.onDelivered(batch.size(), 0);
            }
        });
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return sinks.create(context);
            }

            @Override
            public String description() {
                return "the checked test destination at " + address;
            }

            @Override
            public Duration deliveryTimeout() {
                return sinks.deliveryTimeout();
            }

            @Override
            public List<String> checkDestination() {
                CHECKS.incrementAndGet();
                if (!reachable) {
                    throw new ProbeException("Cannot reach the checked test destination at " + address
                            + " (probe.sink.checked.address)");
                }
                return List.of("reached " + address, "it keeps packets for 7 days");
            }
        };
    }
}
