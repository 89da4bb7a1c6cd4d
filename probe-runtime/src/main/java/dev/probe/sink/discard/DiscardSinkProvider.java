package dev.probe.sink.discard;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * {@code probe.sink.type = discard}: reads every packet's bytes and throws them away, counting each as
 * delivered. For measuring capture and the pipeline without a destination, and the smallest example of
 * a sink for teams writing their own.
 */
public final class DiscardSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "discard";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return workerName -> new DiscardSink();
    }

    /** One transmit worker's discarding sink. */
    static final class DiscardSink implements Sink {
        private final SinkCounters counters = new SinkCounters();
        private long checksum;

        @Override
        public int available() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void send(final PacketBurst burst, final PacketMemory memory) {
            final int n = burst.size();
            counters.onSent(n);
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                final int length = burst.capturedLength(i);
                final MemorySegment data = memory.data(burst.handle(i), length);
                if (length > 0) {
                    // Touch the first and last byte so the packet is really read.
                    checksum += data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)
                            + data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, length - 1);
                }
                bytes += length;
            }
            counters.onDelivered(n, bytes);
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

        /** A value derived from every byte read, so the reads cannot be optimised away. */
        long checksum() {
            return checksum;
        }
    }
}
