package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;
import dev.probe.spi.SinkProvider;

import java.lang.foreign.ValueLayout;

/**
 * A sink that delivers frames whose byte 42 is even and fails the others as too large: lets a test
 * check that failures are counted by reason and add up.
 */
public final class RejectOddSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "reject-odd";
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
                counters.onSent(burst.size());
                for (int i = 0; i < burst.size(); i++) {
                    final byte b = memory.data(burst.handle(i), burst.capturedLength(i)).get(ValueLayout.JAVA_BYTE, 42);
                    if ((b & 1) == 0) {
                        counters.onDelivered(burst.capturedLength(i));
                    } else {
                        counters.onFailed(SinkFailure.RECORD_TOO_LARGE);
                    }
                }
            }
        };
    }
}
