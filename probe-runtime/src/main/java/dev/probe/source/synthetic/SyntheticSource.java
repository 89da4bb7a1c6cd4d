package dev.probe.source.synthetic;

import dev.probe.api.PacketBurst;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Frames generated once into off-heap memory and handed out in a cycle: the packet handle is the
 * frame's offset, release does nothing (the frames are never written again). Each queue gives
 * {@code packets / queues} packets (all of them to queue 0 when fewer), or never ends when
 * {@code packets} is 0.
 */
final class SyntheticSource implements CaptureSource {
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment frames;
    private final int frameSize;
    private final int distinct;
    private final boolean live;
    private final List<Queue> queues = new ArrayList<>();
    private final Memory memory = new Memory();
    private boolean closed;

    SyntheticSource(final int queueCount, final int frameSize, final long packets, final int distinct,
                    final boolean live) {
        this.live = live;
        this.frameSize = frameSize;
        this.distinct = distinct;
        this.frames = arena.allocate((long) frameSize * distinct, 64);
        for (int i = 0; i < distinct; i++) {
            writeFrame(frames.asSlice((long) i * frameSize, frameSize), i);
        }
        for (int q = 0; q < queueCount; q++) {
            final long share = packets == 0 ? 0 : packets / queueCount + (q < packets % queueCount ? 1 : 0);
            queues.add(new Queue(q, packets == 0 ? Long.MAX_VALUE : share));
        }
    }

    /** An Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2 with source port varying by index. */
    private static void writeFrame(final MemorySegment f, final int index) {
        f.set(BE_INT, 0, 0x02000000);
        f.set(BE_SHORT, 4, (short) 0x0002);
        f.set(BE_INT, 6, 0x02000000);
        f.set(BE_SHORT, 10, (short) 0x0001);
        f.set(BE_SHORT, 12, (short) 0x0800);
        final int ipLength = (int) f.byteSize() - 14;
        f.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        f.set(BE_SHORT, 16, (short) ipLength);
        f.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
        f.set(ValueLayout.JAVA_BYTE, 23, (byte) 17);
        f.set(BE_INT, 26, 0x0a000001);
        f.set(BE_INT, 30, 0x0a000002);
        f.set(BE_SHORT, 34, (short) (1024 + index % 60000));
        f.set(BE_SHORT, 36, (short) 4789);
        f.set(BE_SHORT, 38, (short) (ipLength - 20));
        for (long i = 42; i < f.byteSize(); i++) {
            f.set(ValueLayout.JAVA_BYTE, i, (byte) (index + i));
        }
        if (f.byteSize() >= 50) {
            f.set(ValueLayout.JAVA_LONG_UNALIGNED, 42, index);
        }
    }

    @Override
    public String description() {
        return "synthetic " + frameSize + "-byte frames";
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
        return memory;
    }

    @Override
    public Map<String, Long> drops() {
        return Map.of();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private final class Queue implements ReceiveQueue {
        private final int id;
        private final long total;
        private long given;
        private int next;

        Queue(final int id, final long total) {
            this.id = id;
            this.total = total;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public int poll(final PacketBurst burst) {
            final long left = total - given;
            if (left == 0) {
                return END_OF_INPUT;
            }
            final int n = (int) Math.min(burst.remaining(), left);
            final long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) {
                burst.add(now, frameSize, frameSize, (long) next * frameSize);
                if (++next == distinct) {
                    next = 0;
                }
            }
            given += n;
            return n;
        }
    }

    private final class Memory implements PacketMemory {
        @Override
        public MemorySegment data(final long handle, final int capturedLength) {
            return frames.asSlice(handle, capturedLength);
        }

        @Override
        public void release(final PacketBurst burst, final int from, final int count) {
            // The frames are shared and never rewritten: nothing to give back.
        }
    }
}
