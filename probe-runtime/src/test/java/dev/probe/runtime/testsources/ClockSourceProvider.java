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

/**
 * A live source that never ends and remembers when it was polled first and last
 * ({@link System#nanoTime()}): lets a test see when capture started and stopped. One 64-byte packet a
 * poll.
 */
public final class ClockSourceProvider implements CaptureSourceProvider {
    /** When the last opened source was first polled; 0 before. */
    public static volatile long firstPollNanos;
    /** When the last opened source was last polled; 0 before. */
    public static volatile long lastPollNanos;

    private static final byte[] FRAME = new byte[64];

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public void validate(final Config config) {
    }

    @Override
    public CaptureSource open(final Config config) {
        firstPollNanos = 0;
        lastPollNanos = 0;
        return new Clock();
    }

    private static final class Clock implements CaptureSource, PacketMemory, ReceiveQueue {
        @Override
        public String description() {
            return "clock source";
        }

        @Override
        public List<? extends ReceiveQueue> queues() {
            return List.of(this);
        }

        @Override
        public boolean isLive() {
            return true;
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
        }

        @Override
        public int id() {
            return 0;
        }

        @Override
        public int poll(final PacketBurst burst) {
            final long now = System.nanoTime();
            if (firstPollNanos == 0) {
                firstPollNanos = now;
            }
            lastPollNanos = now;
            burst.add(System.currentTimeMillis() * 1_000_000L, FRAME.length, FRAME.length, 0);
            return 1;
        }

        @Override
        public MemorySegment data(final long handle, final int capturedLength) {
            return MemorySegment.ofArray(FRAME);
        }

        @Override
        public void release(final PacketBurst burst, final int from, final int count) {
        }
    }
}
