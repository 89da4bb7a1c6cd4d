package dev.probe.sink.file;

import dev.probe.spi.Sink;
import dev.probe.spi.SinkFailure;
import dev.probe.testkit.CaptureFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.probe.sink.file.FileSinks.assertBalanced;
import static dev.probe.sink.file.FileSinks.assertRecords;
import static dev.probe.sink.file.FileSinks.files;
import static dev.probe.sink.file.FileSinks.packets;
import static dev.probe.sink.file.FileSinks.read;
import static dev.probe.sink.file.FileSinks.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A folder that becomes unavailable after start, in ways that fail for root too (removed, or replaced
 * by a file), drops packets as sink-io-error with the first message, never throws, waits
 * retry-interval between tries, and writes again once the folder is back.
 */
class FileSinkUnwritableFolderTest {
    /** 2024-02-29T12:34:56Z. */
    private static final long T0 = 1_709_210_096_000_000_000L;

    @TempDir
    Path dir;

    private final FileSinks.ManualClock clock = new FileSinks.ManualClock();

    @Test
    void aFolderRemovedAfterStartDropsAsIoErrorUntilItIsBack() throws IOException {
        final Path folder = Files.createDirectory(dir.resolve("capture"));
        final Sink sink = FileSinks.open(folder, clock, "tx-0-0", "retry-interval = 5s", "linger = 0s",
                "rotate.interval = 1m");
        send(sink, packets(0, 5, 100, T0), 5);
        clock.advance(Duration.ofMinutes(1));
        sink.tick();
        final List<CaptureFile.Record> first = read(files(folder, ".pcapng"));
        Files.delete(files(folder, ".pcapng").get(0));
        Files.delete(folder);

        send(sink, packets(5, 5, 100, T0), 5);
        assertEquals(5, sink.counters().failed(SinkFailure.IO_ERROR));
        final String message = sink.counters().firstError(SinkFailure.IO_ERROR);
        assertTrue(message.startsWith("cannot create " + folder + "/probe-tx-0-0-000001-") && message.endsWith(
                ".pcapng.part: NoSuchFileException: the folder does not exist"), message);

        Files.createDirectory(folder);
        send(sink, packets(10, 5, 100, T0), 5);
        assertEquals(10, sink.counters().failed(SinkFailure.IO_ERROR), "within retry-interval: dropped without a try");
        assertEquals(List.of(), files(folder, ""), "and no file touched");
        clock.advance(Duration.ofSeconds(5));
        send(sink, packets(15, 5, 100, T0), 5);
        sink.close();

        assertEquals(10, sink.counters().delivered());
        assertBalanced(sink.counters());
        assertRecords(packets(0, 5, 100, T0), first);
        assertRecords(packets(15, 5, 100, T0), read(files(folder, ".pcapng")));
    }

    @Test
    void aFileWhereTheFolderShouldBeDropsAsIoErrorUntilTheFolderIsBack() throws IOException {
        final Path folder = Files.createDirectory(dir.resolve("capture"));
        final Sink sink = FileSinks.open(folder, clock, "tx-0-0", "retry-interval = 0s", "linger = 0s");
        Files.delete(folder);
        Files.writeString(folder, "not a folder");

        send(sink, packets(0, 7, 100, T0), 3);
        assertEquals(7, sink.counters().failed(SinkFailure.IO_ERROR), "every packet dropped, in every batch");
        assertTrue(sink.counters().firstError(SinkFailure.IO_ERROR).endsWith("Not a directory"),
                sink.counters().firstError(SinkFailure.IO_ERROR));
        assertTrue(sink.available() > 0, "drops at once rather than pushing back");

        Files.delete(folder);
        Files.createDirectory(folder);
        send(sink, packets(7, 3, 100, T0), 3);
        sink.close();
        assertEquals(3, sink.counters().delivered(), "retry-interval 0s: the next packet tries again");
        assertBalanced(sink.counters());
        assertRecords(packets(7, 3, 100, T0), read(files(folder, ".pcapng")));
    }

    @Test
    void aFolderRemovedUnderAnOpenFileNeverThrowsAndBalances() throws IOException {
        final Path folder = Files.createDirectory(dir.resolve("capture"));
        final Sink sink = FileSinks.open(folder, clock, "tx-0-0", "linger = 0s", "retry-interval = 0s");
        send(sink, packets(0, 5, 100, T0), 5);
        for (final Path p : files(folder, "")) {
            Files.delete(p);
        }
        Files.delete(folder);
        // The open file lives on, unlinked: writes still succeed, and are lost with it. Completing it
        // fails to rename (logged); the next file cannot be created, and that is counted.
        send(sink, packets(5, 5, 100, T0), 5);
        clock.advance(Duration.ofHours(2));
        sink.tick();
        sink.close();
        assertEquals(10, sink.counters().sent());
        assertBalanced(sink.counters());
        assertTrue(Files.notExists(folder));
    }
}
