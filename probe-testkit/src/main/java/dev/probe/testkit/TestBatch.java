package dev.probe.testkit;

import dev.probe.spi.PacketBatch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link PacketBatch} of heap frames, for driving a sink directly. It copies each frame it is given
 * into memory of its own and, like the runtime, takes the packets back when the test calls
 * {@link #release()} after {@code send}: it then overwrites every byte with {@link #POISON} and refuses
 * further reads, so a sink that kept a reference instead of copying sends garbage (or fails) where a
 * test can see it.
 *
 * <p>Not thread-safe: one test thread fills it, sends it and releases it.
 */
public final class TestBatch implements PacketBatch {
    /** What every byte of a released frame becomes. */
    public static final byte POISON = (byte) 0xA5;

    private final List<long[]> meta = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private boolean released;

    /** An empty batch. */
    public TestBatch() {
    }

    /**
     * Appends a copy of {@code frame}, captured whole, with {@code wireLength} as its length on the wire.
     *
     * @return this batch
     */
    public TestBatch add(final long timestampNanos, final byte[] frame, final int wireLength) {
        if (released) {
            throw new IllegalStateException("batch released: clear() it before adding");
        }
        if (wireLength < frame.length) {
            throw new IllegalArgumentException("wireLength: " + wireLength + " (expected: >= " + frame.length + ")");
        }
        meta.add(new long[] {timestampNanos, wireLength});
        frames.add(frame.clone());
        return this;
    }

    /** Appends a copy of {@code frame}, not truncated. */
    public TestBatch add(final long timestampNanos, final byte[] frame) {
        return add(timestampNanos, frame, frame.length);
    }

    /** Appends a copy of a capture file's record: its time, bytes and wire length. */
    public TestBatch add(final CaptureFile.Record record) {
        return add(record.timestampNanos(), record.data(), record.wireLength());
    }

    /** A batch of copies of {@code records}, in order. */
    public static TestBatch of(final List<CaptureFile.Record> records) {
        final TestBatch batch = new TestBatch();
        records.forEach(batch::add);
        return batch;
    }

    /**
     * {@code records} cut into batches of {@code burstSize} packets (the last one smaller), in order:
     * the bursts a transmit worker would hand its sink.
     */
    public static List<TestBatch> bursts(final List<CaptureFile.Record> records, final int burstSize) {
        if (burstSize < 1) {
            throw new IllegalArgumentException("burstSize: " + burstSize + " (expected: > 0)");
        }
        final List<TestBatch> bursts = new ArrayList<>();
        for (int from = 0; from < records.size(); from += burstSize) {
            bursts.add(of(records.subList(from, Math.min(records.size(), from + burstSize))));
        }
        return bursts;
    }

    /** Whether {@link #release()} was called since the batch was filled. */
    public boolean released() {
        return released;
    }

    /**
     * What the runtime does after {@code send} returns: the packets go back to their source, whose
     * memory is reused. Here every byte becomes {@link #POISON} and reads fail.
     */
    public void release() {
        for (final byte[] frame : frames) {
            Arrays.fill(frame, POISON);
        }
        released = true;
    }

    /** Empties the batch (released or not) for reuse. */
    public void clear() {
        meta.clear();
        frames.clear();
        released = false;
    }

    @Override
    public int size() {
        return frames.size();
    }

    @Override
    public long timestampNanos(final int i) {
        return meta.get(i)[0];
    }

    @Override
    public int capturedLength(final int i) {
        return frames.get(i).length;
    }

    @Override
    public int wireLength(final int i) {
        return (int) meta.get(i)[1];
    }

    @Override
    public MemorySegment data(final int i) {
        return bytes(i).asReadOnly();
    }

    @Override
    public void copyTo(final int i, final byte[] destination, final int offset) {
        final byte[] frame = frames.get(i);
        readable();
        System.arraycopy(frame, 0, destination, offset, frame.length);
    }

    @Override
    public void copyTo(final int i, final MemorySegment destination, final long offset) {
        final MemorySegment source = bytes(i);
        MemorySegment.copy(source, 0, destination, offset, source.byteSize());
    }

    private MemorySegment bytes(final int i) {
        final byte[] frame = frames.get(i);
        readable();
        return MemorySegment.ofArray(frame);
    }

    private void readable() {
        if (released) {
            throw new IllegalStateException("packet read after send returned: a sink must copy what it keeps");
        }
    }

    /** A frame of {@code length} bytes whose content depends on {@code seed}. */
    public static byte[] frame(final int length, final int seed) {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    /** Whether {@code bytes} is all {@link #POISON}: a frame read after its release. */
    public static boolean poisoned(final byte[] bytes) {
        for (final byte b : bytes) {
            if (b != POISON) {
                return false;
            }
        }
        return bytes.length > 0;
    }

    /** The first byte of a frame read as a value, for messages. */
    static int firstByte(final MemorySegment frame) {
        return frame.byteSize() == 0 ? -1 : frame.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
    }
}
