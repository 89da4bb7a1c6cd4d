package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;

/** A sink whose destination never accepts anything: {@code available()} is always 0. */
public final class StalledSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "stalled";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return worker -> new Sink() {
            private final SinkCounters counters = new SinkCounters();

            @Override
            public int available() {
                return 0;
            }

            @Override
            public void send(final PacketBurst burst, final PacketMemory memory) {
                throw new AssertionError("nothing may be sent to a sink with no room");
            }

            @Override
            public boolean flush(final Duration timeout) {
                return true;
            }

            @Override
            public SinkCounters counters() {
                return counters;
            }

            @Override
            public void close() {
            }
        };
    }
}
