package dev.probe.runtime.testsinks;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkFailure;
import dev.probe.spi.SinkProvider;

import java.time.Duration;

/**
 * Broken sinks, each throwing from one method: {@code throwing} from {@code send} (after counting half
 * the burst as sent and failed), {@code throwing-flush} from {@code flush} and {@code throwing-close} from
 * {@code close}, both while packets are still in flight: the flush of {@code throwing-close} never
 * completes, so the probe gives up on it after its short delivery timeout. Otherwise they deliver.
 */
public class ThrowingSinkProvider implements SinkProvider {
    private final String method;

    /** The sink that throws from {@code send}. */
    public ThrowingSinkProvider() {
        this("send");
    }

    ThrowingSinkProvider(final String method) {
        this.method = method;
    }

    /** Throws from {@code flush}. */
    public static final class FromFlush extends ThrowingSinkProvider {
        /** For ServiceLoader. */
        public FromFlush() {
            super("flush");
        }
    }

    /** Throws from {@code close}. */
    public static final class FromClose extends ThrowingSinkProvider {
        /** For ServiceLoader. */
        public FromClose() {
            super("close");
        }
    }

    @Override
    public String name() {
        return method.equals("send") ? "throwing" : "throwing-" + method;
    }

    @Override
    public SinkFactory configure(final Config config) {
        return TestSink.factory(Duration.ofMillis(300), () -> new TestSink() {
            /** Packets of the last burst held back, so that flush and close have something in flight. */
            private int held;
            private long heldBytes;

            @Override
            public int available() {
                return 1024;
            }

            @Override
            public void send(final PacketBatch batch) {
                final int n = batch.size();
                if (method.equals("send")) {
                    counters.onSent(n / 2);
                    counters.onFailed(SinkFailure.OTHER, n / 2);
                    throw new IllegalStateException("destination exploded");
                }
                counters.onSent(n);
                long bytes = 0;
                for (int i = 0; i < n; i++) {
                    bytes += batch.capturedLength(i);
                }
                counters.onDelivered(held, heldBytes);
                held = n;
                heldBytes = bytes;
            }

            @Override
            public boolean flush(final Duration timeout) {
                if (method.equals("flush")) {
                    throw new IllegalStateException("flush exploded");
                }
                if (method.equals("close")) {
                    return false;
                }
                counters.onDelivered(held, heldBytes);
                held = 0;
                return true;
            }

            @Override
            public void close() {
                super.close();
                if (method.equals("close")) {
                    throw new IllegalStateException("close exploded");
                }
                counters.onFailed(SinkFailure.SHUTDOWN, held);
                held = 0;
            }
        });
    }
}
