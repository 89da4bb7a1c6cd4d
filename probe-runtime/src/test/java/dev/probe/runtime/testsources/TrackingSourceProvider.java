package dev.probe.runtime.testsources;

import com.typesafe.config.Config;
import dev.probe.api.PacketBurst;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source that records every release: packet {@code i} has handle {@code i}, and releasing a handle
 * twice, or one never handed out, is counted as an error. Lets a test prove that each packet is given
 * back exactly once, whatever happened on the way. Settings (test reference.conf):
 * {@code probe.source.tracking.packets}, {@code queues} and {@code live}.
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
        final Tracking tracking = new Tracking(config.getInt("probe.source.tracking.packets"),
                config.getInt("probe.source.tracking.queues"), config.getBoolean("probe.source.tracking.live"));
        last = tracking;
        return tracking;
    }

    /** The tracking source and what it saw. */
    public static final class Tracking implements CaptureSource, PacketMemory {
        private static final byte[] FRAME = new byte[64];
        private final int packets;
        private final boolean live;
        private final AtomicIntegerArray releases;
        private final AtomicLong errors = new AtomicLong();
        private final AtomicInteger next = new AtomicInteger();
        private final List<Queue> queues = new ArrayList<>();
        private volatile boolean closed;

        Tracking(final int packets, final int queues, final boolean live) {
            this.packets = packets;
            this.live = live;
            this.releases = new AtomicIntegerArray(packets);
            for (int q = 0; q < queues; q++) {
                this.queues.add(new Queue(q));
            }
        }

        /** Packets handed out so far. */
        public int handedOut() {
            return next.get();
        }

        /** Handles released more than once, or never handed out. */
        public long errors() {
            return errors.get();
        }

        /** Packets handed out and not released. */
        public long unreleased() {
            long n = 0;
            for (int i = 0; i < next.get(); i++) {
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
            return queues;
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

        /** One queue; they share the handle sequence, so handles stay unique across queues. */
        private final class Queue implements ReceiveQueue {
            private final int id;

            Queue(final int id) {
                this.id = id;
            }

            @Override
            public int id() {
                return id;
            }

            @Override
            public int poll(final PacketBurst burst) {
                while (true) {
                    final int from = next.get();
                    if (from == packets) {
                        return END_OF_INPUT;
                    }
                    final int n = Math.min(burst.remaining(), packets - from);
                    if (next.compareAndSet(from, from + n)) {
                        final long now = System.currentTimeMillis() * 1_000_000L;
                        for (int i = 0; i < n; i++) {
                            burst.add(now, FRAME.length, FRAME.length, from + i);
                        }
                        return n;
                    }
                }
            }
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
                if (h < 0 || h >= next.get() || releases.getAndIncrement((int) h) != 0 || closed) {
                    errors.incrementAndGet();
                }
            }
        }
    }
}
