package dev.probe.sink.discard;

import com.typesafe.config.Config;
import dev.probe.spi.PacketBatch;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkCounters;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * {@code probe.sink.type = discard}: reads every packet's bytes and throws them away, counting each as
 * delivered. For measuring capture and the pipeline without a destination, and the smallest complete
 * sink for teams writing their own.
 */
public final class DiscardSinkProvider implements SinkProvider {
    @Override
    public String name() {
        return "discard";
    }

    @Override
    public SinkFactory configure(final Config config) {
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return new DiscardSink();
            }

            @Override
            public String description() {
                return "nowhere (discard: every packet is read, then thrown away)";
            }
        };
    }

    /** One transmit worker's discarding sink; its worker's thread only, counters from any thread. */
    public static final class DiscardSink implements Sink {
        private final SinkCounters counters = new SinkCounters();
        private long checksum;

        /** Always room: discarding never waits. */
        @Override
        public int available() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void send(final PacketBatch batch) {
            final int n = batch.size();
            counters.onSent(n);
            long bytes = 0;
            long sum = 0;
            for (int i = 0; i < n; i++) {
                final int length = batch.capturedLength(i);
                if (length > 0) {
                    // Touch the first and last byte so that the packet is really read.
                    final MemorySegment data = batch.data(i);
                    sum += data.get(ValueLayout.JAVA_BYTE, 0) + data.get(ValueLayout.JAVA_BYTE, length - 1);
                }
                bytes += length;
            }
            checksum += sum;
            counters.onDelivered(n, bytes);
        }

        /** Nothing is ever in flight. */
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

        /** A value derived from the bytes read, so that the reads cannot be optimised away. */
        public long checksum() {
            return checksum;
        }
    }
}
