package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;

/** A sink whose destination never accepts anything: {@code available()} is always 0. */
public final class StalledSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "stalled";
    }

    /** How long the probe waits for a stalled sink at the end of a file before giving up on it. */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofMillis(300);

    @Override
    public SinkFactory configure(final Config config) {
        return TestSink.factory(DELIVERY_TIMEOUT, () -> new TestSink() {
            @Override
            public int available() {
                return 0;
            }

            @Override
            public void send(final PacketBatch batch) {
                throw new AssertionError("nothing may be sent to a sink with no room");
            }
        });
    }
}
