package dev.probe.runtime.testsources;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source that records every release: packet {@code i} has handle {@code i}, and releasing a handle
 * twice, or one never handed out, is counted as an error. Lets a test prove that each packet is given
 * back exactly once, whatever happened on the way. Settings: {@code probe.source.tracking.packets}
 * (default 100000) and {@code probe.source.tracking.live} (default false).
 */
public final class TrackingSourceProvider implements CaptureSourceProvider {
    private static volatile Tracking last;

    /** The source most recently opened in this JVM. */
    public static Tracking last() {
        return last;
    }

    @Override
    public String name() {
        return "tracking";
    }

    @Override
    public void validate(final Config config) {
    }

    @Override
    public CaptureSource open(final Config config) {
        final int packets = config.hasPath("probe.source.tracking.packets") ? config.getInt("probe.source.tracking.packets") : 100_000;
        final boolean live = config.hasPath("probe.source.tracking.live") && config.getBoolean("probe.source.tracking.live");
        final Tracking tracking = new Tracking(packets, live);
        last = tracking;
        return tracking;
    }

    /** The tracking source and what it saw. */
    public static final class Tracking implements CaptureSource, ReceiveQueue, PacketMemory {
        private static final byte[] FRAME = new byte[64];
        private final int packets;
        private final boolean live;
        private final AtomicIntegerArray releases;
        private final AtomicLong errors = new AtomicLong();
        private int next;
        private volatile boolean closed;

        Tracking(final int packets, final boolean live) {
            this.packets = packets;
            this.live = live;
            this.releases = new AtomicIntegerArray(packets);
        }

        /** Packets handed out so far. */
        public int handedOut() {
            return next;
        }

        /** Handles released more than once, or never handed out. */
        public long errors() {
            return errors.get();
        }

        /** Packets handed out and not released. */
        public long unreleased() {
            long n = 0;
            for (int i = 0; i < next; i++) {
                if (releases.get(i) == 0) {
                    n++;
                }
            }
            return n;
        }

        /** Whether close() was called. */
        public boolean closed() {
            return closed;
        }

        @Override
        public String description() {
            return "tracking source";
        }

        @Override
        public List<? extends ReceiveQueue> queues() {
            return List.of(this);
        }

        @Override
        public boolean isLive() {
            return live;
        }

        @Override
        public PacketMemory memory() {
            return this;
        }

        @Override
        public Map<String, Long> drops() {
            return Map.of();
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public int id() {
            return 0;
        }

        @Override
        public int poll(final PacketBurst burst) {
            if (next == packets) {
                return END_OF_INPUT;
            }
            final int n = Math.min(burst.remaining(), packets - next);
            final long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) {
                burst.add(now, FRAME.length, FRAME.length, next++);
            }
            return n;
        }

        @Override
        public MemorySegment data(final long handle, final int capturedLength) {
            if (closed) {
                errors.incrementAndGet();
            }
            return MemorySegment.ofArray(FRAME);
        }

        @Override
        public void release(final PacketBurst burst, final int from, final int count) {
            for (int i = from; i < from + count; i++) {
                final long h = burst.handle(i);
                if (h < 0 || h >= next || releases.getAndIncrement((int) h) != 0 || closed) {
                    errors.incrementAndGet();
                }
            }
        }
    }
}
