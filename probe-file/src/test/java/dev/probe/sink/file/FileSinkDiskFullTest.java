package dev.probe.sink.file;

import dev.probe.api.ProbeException;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkFailure;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.TestBatch;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.probe.sink.file.FileSinks.assertBalanced;
import static dev.probe.sink.file.FileSinks.files;
import static dev.probe.sink.file.FileSinks.packets;
import static dev.probe.sink.file.FileSinks.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a 2 MiB tmpfs the test mounts: a disk that fills up drops packets as sink-no-space with the
 * system's message, never throws, keeps every completed file a valid capture, and writes again once
 * space is freed; a folder that turns read-only (unwritable even for root) drops as sink-io-error and
 * recovers the same way, and cannot be chosen at start.
 */
class FileSinkDiskFullTest {
    /** 2024-02-29T12:34:56Z. */
    private static final long T0 = 1_709_210_096_000_000_000L;
    private static final int FRAME = 1000;
    private static final int BATCH = 50;

    @TempDir
    Path dir;

    @Test
    void aFullDiskDropsAsNoSpaceKeepsCompletedFilesValidAndWritingResumesOnceSpaceIsFreed() throws Exception {
        final List<CaptureFile.Record> deleted = new ArrayList<>();
        final Sink sink;
        final Path folder;
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("fs"), "2m")) {
            folder = fs.path();
            sink = FileSinks.open(folder, System::nanoTime, "tx-0-0", "format = pcap", "rotate.size = 256KiB",
                    "buffer-size = 64KiB", "retention.max-files = 0", "retry-interval = 0s", "linger = 1h");
            int next = 0;
            while (sink.counters().failed(SinkFailure.NO_SPACE) == 0) {
                assertTrue(next < 10_000, "2 MiB should be full after " + next + " packets of " + FRAME + " bytes");
                send(sink, packets(next, BATCH, FRAME, T0), BATCH);
                next += BATCH;
            }
            final String message = sink.counters().firstError(SinkFailure.NO_SPACE);
            assertTrue(message.contains("No space left on device") && message.contains(folder.toString()), message);

            final long dropped = sink.counters().failed(SinkFailure.NO_SPACE);
            for (int i = 0; i < 10; i++, next += BATCH) {
                send(sink, packets(next, BATCH, FRAME, T0), BATCH);
            }
            assertTrue(sink.counters().failed(SinkFailure.NO_SPACE) > dropped, "still full: more drops, counted");
            assertEquals(sink.counters().failed(), sink.counters().failed(SinkFailure.NO_SPACE), "no other reason");
            assertEquals(sink.counters().sent(), sink.counters().delivered() + sink.counters().failed()
                    + sink.counters().inFlight());

            // Every completed file is a valid capture; then they go, to free the space.
            final List<Path> complete = files(folder, ".pcap");
            assertTrue(complete.size() >= 7, "the disk held several 256 KiB files: " + complete);
            for (final Path file : complete) {
                deleted.addAll(CaptureFile.read(file));
                Files.delete(file);
            }

            final long delivered = sink.counters().delivered();
            final long before = next;
            while (sink.counters().delivered() == delivered) {
                assertTrue(next < before + 1_000, "writing did not resume after space was freed");
                send(sink, packets(next, BATCH, FRAME, T0), BATCH);
                next += BATCH;
            }
            assertTrue(sink.flush(Duration.ofSeconds(1)));
            sink.close();
            assertBalanced(sink.counters());
            assertEquals(List.of(), files(folder, ".part"));

            // What was delivered is exactly what the files hold: sent packets, in order, byte for byte.
            final List<CaptureFile.Record> kept = new ArrayList<>(deleted);
            for (final Path file : files(folder, ".pcap")) {
                kept.addAll(CaptureFile.read(file));
            }
            assertEquals(sink.counters().delivered(), kept.size(), "delivered = records in the files");
            long previousSeed = -1;
            for (final CaptureFile.Record r : kept) {
                final long seed = (r.timestampNanos() - T0) / 1_000_000L;
                assertTrue(seed > previousSeed, "records in the order sent, none twice");
                assertTrue(Arrays.equals(TestBatch.frame(FRAME, (int) seed), r.data()), "bytes of packet " + seed);
                previousSeed = seed;
            }
            assertTrue(previousSeed >= before, "packets sent after the space was freed are in the files");
        }
    }

    @Test
    void aFolderThatTurnsReadOnlyDropsAsIoErrorAndWritingResumesWhenItIsWritableAgain() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("fs"), "2m")) {
            final FileSinks.ManualClock clock = new FileSinks.ManualClock();
            final Sink sink = FileSinks.open(fs.path(), clock, "tx-0-0", "rotate.interval = 1m", "retry-interval = 5s",
                    "linger = 0s");
            send(sink, packets(0, 10, 100, T0), 10);
            clock.advance(Duration.ofMinutes(1));
            sink.tick();
            assertEquals(1, files(fs.path(), ".pcapng").size(), "first file complete, none open");

            fs.readOnly(true);
            try {
                send(sink, packets(10, 10, 100, T0), 10);
                assertEquals(10, sink.counters().failed(SinkFailure.IO_ERROR));
                final String message = sink.counters().firstError(SinkFailure.IO_ERROR);
                assertTrue(message.contains("Read-only file system"), message);

                clock.advance(Duration.ofSeconds(4));
                send(sink, packets(20, 10, 100, T0), 10);
                assertEquals(20, sink.counters().failed(SinkFailure.IO_ERROR), "dropped at once until retry-interval");
            } finally {
                fs.readOnly(false);
            }
            send(sink, packets(30, 10, 100, T0), 10);
            assertEquals(30, sink.counters().failed(SinkFailure.IO_ERROR), "4 s after the failure: no new try yet");
            clock.advance(Duration.ofSeconds(1));
            send(sink, packets(40, 10, 100, T0), 10);
            assertEquals(20, sink.counters().delivered(), "5 s after the failure a new file is tried, and works");
            sink.close();
            assertBalanced(sink.counters());
            final List<CaptureFile.Record> back = FileSinks.read(files(fs.path(), ".pcapng"));
            final List<CaptureFile.Record> expected = new ArrayList<>(packets(0, 10, 100, T0));
            expected.addAll(packets(40, 10, 100, T0));
            FileSinks.assertRecords(expected, back);
        }
    }

    @Test
    void aReadOnlyFolderIsRefusedAtStartNamingTheSetting() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir.resolve("fs"), "1m")) {
            fs.readOnly(true);
            final ProbeException e = assertThrows(ProbeException.class, () -> new FileSinkProvider()
                    .configure(FileSinks.config(fs.path())).create(TestContext.worker("tx-0-0")));
            assertTrue(e.getMessage().startsWith("Invalid value \"" + fs.path() + "\" for probe.sink.file.directory: "
                    + "expected a folder this user can write"), e.getMessage());
            assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }
}
