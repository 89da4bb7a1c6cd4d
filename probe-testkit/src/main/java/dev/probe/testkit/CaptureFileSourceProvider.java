package dev.probe.testkit;

import com.typesafe.config.Config;
import dev.probe.api.LinkType;
import dev.probe.api.PacketBurst;
import dev.probe.api.ProbeException;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A capture source that replays one pcap or pcapng file through {@link CaptureFile}, in pure Java (no
 * libpcap), for running the real pipeline in a test ({@link PipelineRun}). It is selected as
 * {@code probe.source.type = capture-file} and reads no settings: the file is given to the constructor.
 *
 * <p>Like a file, it is not live: it hands out only what the rings have room for, so nothing is dropped.
 * It reports the file's link type and first capture time. Its memory checks the runtime: every packet
 * gets bytes of its own, overwritten with {@link TestBatch#POISON} when the packet is released, so a sink
 * that kept a view instead of copying delivers poison; a packet released twice, or read after its
 * release, is recorded in {@link CaptureFileSource#memoryErrors()}.
 *
 * <p>Opened on the main thread; its one queue is polled by one receive worker; its memory is used by the
 * transmit workers.
 */
public final class CaptureFileSourceProvider implements CaptureSourceProvider {
    /** The value of {@code probe.source.type} that selects this source. */
    public static final String NAME = "capture-file";

    private final Path file;
    private volatile CaptureFileSource opened;

    /** @param file the pcap or pcapng file to replay */
    public CaptureFileSourceProvider(final Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Checks that the file is there and readable. */
    @Override
    public void validate(final Config config) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ProbeException("Cannot read capture file " + file + ": no such readable file");
        }
    }

    @Override
    public CaptureFileSource open(final Config config) {
        validate(config);
        final CaptureFile.Capture capture;
        try {
            capture = CaptureFile.load(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ProbeException("Cannot read capture file " + e.getMessage(), e);
        }
        final CaptureFileSource source = new CaptureFileSource(file, capture);
        opened = source;
        return source;
    }

    /** The source the last {@link #open} returned, or null: for checks after a run. */
    public CaptureFileSource opened() {
        return opened;
    }

    /** An opened capture file: one queue, its packets in file order. */
    public static final class CaptureFileSource implements CaptureSource {
        private static final int WAITING = 0;
        private static final int HANDED_OUT = 1;
        private static final int RELEASED = 2;

        private final Path file;
        private final CaptureFile.Capture capture;
        private final byte[] bytes;
        private final int[] offsets;
        private final AtomicIntegerArray states;
        private final AtomicLong released = new AtomicLong();
        private final Queue<String> memoryErrors = new ConcurrentLinkedQueue<>();
        private final FileQueue queue = new FileQueue();
        private final Memory memory = new Memory();
        private volatile boolean closed;

        CaptureFileSource(final Path file, final CaptureFile.Capture capture) {
            this.file = file;
            this.capture = capture;
            final List<CaptureFile.Record> records = capture.records();
            offsets = new int[records.size() + 1];
            for (int i = 0; i < records.size(); i++) {
                offsets[i + 1] = Math.addExact(offsets[i], records.get(i).capturedLength());
            }
            bytes = new byte[offsets[records.size()]];
            for (int i = 0; i < records.size(); i++) {
                System.arraycopy(records.get(i).data(), 0, bytes, offsets[i], records.get(i).capturedLength());
            }
            states = new AtomicIntegerArray(records.size());
        }

        /** The file's link type and records, as read. */
        public CaptureFile.Capture capture() {
            return capture;
        }

        /** Packets released to this source so far. */
        public long released() {
            return released.get();
        }

        /** Packets handed out by the queue and not released (yet). */
        public long held() {
            long held = 0;
            for (int i = 0; i < states.length(); i++) {
                if (states.get(i) == HANDED_OUT) {
                    held++;
                }
            }
            return held;
        }

        /** Misuses of this source's memory seen so far: packets released twice, read after release. */
        public List<String> memoryErrors() {
            return List.copyOf(memoryErrors);
        }

        /** Whether {@link #close()} was called. */
        public boolean closed() {
            return closed;
        }

        @Override
        public String description() {
            return "capture file " + file + " (probe-testkit, " + capture.records().size() + " packets)";
        }

        @Override
        public List<? extends ReceiveQueue> queues() {
            return List.of(queue);
        }

        @Override
        public boolean isLive() {
            return false;
        }

        @Override
        public int linkType() {
            return capture.linkType() == CaptureFile.NO_LINK_TYPE ? LinkType.ETHERNET : capture.linkType();
        }

        @Override
        public OptionalLong firstTimestampNanos() {
            return capture.firstTimestampNanos();
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
        public void close() {
            closed = true;
        }

        /** The one receive queue: hands out the file's records in order. Its receive worker's thread. */
        private final class FileQueue implements ReceiveQueue {
            private int next;

            @Override
            public int id() {
                return 0;
            }

            @Override
            public int poll(final PacketBurst burst) {
                final List<CaptureFile.Record> records = capture.records();
                if (next == records.size()) {
                    return END_OF_INPUT;
                }
                int added = 0;
                while (next < records.size() && burst.remaining() > 0) {
                    final CaptureFile.Record r = records.get(next);
                    states.set(next, HANDED_OUT);
                    burst.add(r.timestampNanos(), r.capturedLength(), r.wireLength(), next);
                    next++;
                    added++;
                }
                return added;
            }
        }

        /** Per-packet bytes, poisoned on release. Any worker's thread. */
        private final class Memory implements PacketMemory {
            @Override
            public MemorySegment data(final long handle, final int capturedLength) {
                final int i = (int) handle;
                if (states.get(i) != HANDED_OUT) {
                    memoryErrors.add("packet " + i + " read while " + (states.get(i) == RELEASED ? "released" : "not handed out"));
                }
                return MemorySegment.ofArray(bytes).asSlice(offsets[i], capturedLength);
            }

            @Override
            public void release(final PacketBurst burst, final int from, final int count) {
                for (int k = from; k < from + count; k++) {
                    final int i = (int) burst.handle(k);
                    if (!states.compareAndSet(i, HANDED_OUT, RELEASED)) {
                        memoryErrors.add("packet " + i + " released while " + (states.get(i) == RELEASED ? "already released" : "not handed out"));
                        continue;
                    }
                    Arrays.fill(bytes, offsets[i], offsets[i + 1], TestBatch.POISON);
                    released.incrementAndGet();
                }
            }
        }
    }
}
