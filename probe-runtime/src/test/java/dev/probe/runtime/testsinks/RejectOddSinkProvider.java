package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
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
        return TestSink.factory(() -> new TestSink() {
            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBatch batch) {
                counters.onSent(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    final byte b = batch.data(i).get(ValueLayout.JAVA_BYTE, 42);
                    if ((b & 1) == 0) {
                        counters.onDelivered(1, batch.capturedLength(i));
                    } else {
                        counters.onFailed(SinkFailure.RECORD_TOO_LARGE, 1, "frame of " + batch.capturedLength(i) + " bytes refused");
                    }
                }
            }
        });
    }
}
