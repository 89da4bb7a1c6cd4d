package dev.probe.sink.file;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkCounters;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builds file sinks over real folders for tests, drives them, and reads back what they wrote. */
final class FileSinks {
    private FileSinks() {
    }

    /** A clock the test moves: the sink's monotonic nanoseconds. */
    static final class ManualClock implements LongSupplier {
        private long now = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return now;
        }

        void advance(final Duration d) {
            now += d.toNanos();
        }
    }

    /** The whole configuration with {@code directory} and {@code settings} ("rotate.size = 10KiB") under probe.sink.file. */
    static Config config(final Path directory, final String... settings) {
        final StringBuilder text = new StringBuilder("probe.sink.file.directory = \"" + directory + "\"\n");
        for (final String s : settings) {
            text.append("probe.sink.file.").append(s).append('\n');
        }
        return ConfigFactory.parseString(text.toString()).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    /** A sink of worker {@code worker} writing to {@code directory}, on {@code clock}, as the factory makes it. */
    static FileSink open(final Path directory, final LongSupplier clock, final String worker, final String... settings) {
        final FileSinkSettings s = FileSinkSettings.from(config(directory, settings));
        return FileSink.start(s, TestContext.worker(worker), new SinkFolder(s.directory(), s.fileName()), clock);
    }

    /** The files in {@code directory} whose names end with {@code suffix}, by name. */
    static List<Path> files(final Path directory, final String suffix) {
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record of {@code files}, in order. */
    static List<CaptureFile.Record> read(final List<Path> files) {
        final List<CaptureFile.Record> records = new ArrayList<>();
        files.forEach(f -> records.addAll(CaptureFile.read(f)));
        return records;
    }

    /**
     * Sends {@code records} to {@code sink} as the runtime would: batches of at most {@code batchSize}
     * and never more than {@link Sink#available()}, each released after {@code send}.
     */
    static void send(final Sink sink, final List<CaptureFile.Record> records, final int batchSize) {
        final TestBatch batch = new TestBatch();
        int next = 0;
        while (next < records.size()) {
            final int room = sink.available();
            assertTrue(room > 0, "an open file sink always has room");
            batch.clear();
            final int end = Math.min(records.size(), next + Math.min(room, batchSize));
            for (; next < end; next++) {
                final CaptureFile.Record r = records.get(next);
                batch.add(r.timestampNanos(), r.data(), r.wireLength());
            }
            sink.send(batch);
            batch.release();
        }
    }

    /** {@code count} packets of {@code size} bytes, frame i seeded by {@code first + i}, 1 ms apart from {@code startNanos}. */
    static List<CaptureFile.Record> packets(final int first, final int count, final int size, final long startNanos) {
        final List<CaptureFile.Record> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final byte[] frame = TestBatch.frame(size, first + i);
            records.add(new CaptureFile.Record(startNanos + (first + i) * 1_000_000L, size, size, frame));
        }
        return records;
    }

    /** Asserts that {@code actual} are {@code expected}: bytes, nanosecond time stamps, wire lengths. */
    static void assertRecords(final List<CaptureFile.Record> expected, final List<CaptureFile.Record> actual) {
        assertEquals(expected.size(), actual.size(), "records");
        for (int i = 0; i < expected.size(); i++) {
            final CaptureFile.Record e = expected.get(i);
            final CaptureFile.Record a = actual.get(i);
            assertTrue(Arrays.equals(e.data(), a.data()), "bytes of record " + i);
            assertEquals(e.timestampNanos(), a.timestampNanos(), "time of record " + i);
            assertEquals(e.wireLength(), a.wireLength(), "wire length of record " + i);
        }
    }

    /** sent = delivered + failed, nothing in flight. */
    static void assertBalanced(final SinkCounters c) {
        assertEquals(0, c.inFlight(), "in flight");
        assertEquals(c.sent(), c.delivered() + c.failed(), "sent = delivered + failed");
    }
}
