package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

/** A sink whose destination never accepts anything: {@code available()} is always 0. */
public final class StalledSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "stalled";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return worker -> new TestSink() {
            @Override
            public int available() {
                return 0;
            }

            @Override
            public void send(final PacketBurst burst, final PacketMemory memory) {
                throw new AssertionError("nothing may be sent to a sink with no room");
            }
        };
    }
}
