package dev.probe.sink.file;

import dev.probe.file.format.CaptureFormat;
import dev.probe.file.format.CaptureWriter;
import dev.probe.spi.Sink;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.probe.sink.file.FileSinks.assertBalanced;
import static dev.probe.sink.file.FileSinks.assertRecords;
import static dev.probe.sink.file.FileSinks.files;
import static dev.probe.sink.file.FileSinks.packets;
import static dev.probe.sink.file.FileSinks.read;
import static dev.probe.sink.file.FileSinks.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rotation by size and by time, file names, the temporary name of a file being written, retention by
 * count and by bytes, the leftovers of a crashed run, and workers writing side by side: all on real
 * files, time driven by a clock the test moves.
 */
class FileSinkRotationTest {
    /** 2024-02-29T12:34:56Z. */
    private static final long T0 = 1_709_210_096_000_000_000L;
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    private final FileSinks.ManualClock clock = new FileSinks.ManualClock();

    @Test
    void filesRotateBeforeOutgrowingTheSizeAndTheirNamesSayWorkerNumberAndFirstPacketTime() throws IOException {
        final long rotateSize = 10 * 1024;
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "rotate.size = 10KiB", "rotate.interval = 0s",
                "retention.max-files = 0", "format = pcap");
        final List<CaptureFile.Record> sent = packets(0, 1000, 100, T0);
        send(sink, sent, 64);
        sink.close();

        final List<Path> complete = files(dir, ".pcap");
        assertEquals(List.of(), files(dir, ".part"), "nothing left being written after close");
        final long perFile = (rotateSize - CaptureFormat.PCAP.headerLength()) / CaptureFormat.PCAP.recordLength(100);
        assertEquals((1000 + perFile - 1) / perFile, complete.size(), "files of " + perFile + " packets");
        int first = 0;
        for (int i = 0; i < complete.size(); i++) {
            final Path file = complete.get(i);
            assertTrue(Files.size(file) <= rotateSize, file + " is within rotate.size");
            final List<CaptureFile.Record> records = CaptureFile.read(file);
            assertEquals(String.format("probe-tx-0-0-%06d-%s.pcap", i, NAME_TIME.format(Instant.ofEpochSecond(
                    sent.get(first).timestampNanos() / 1_000_000_000L))), file.getFileName().toString());
            first += records.size();
        }
        assertRecords(sent, read(complete));
        assertEquals(1000, sink.counters().delivered());
        assertEquals(100_000, sink.counters().bytesDelivered(), "bytes are captured bytes");
        assertBalanced(sink.counters());
        assertEquals((double) complete.size(), sink.details().get("files-written"));
    }

    @Test
    void aFileBeingWrittenHasAPartNameAndIsRenamedWhenComplete() {
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "linger = 0s");
        final List<CaptureFile.Record> sent = packets(0, 10, 80, T0);
        send(sink, sent, 4);

        assertEquals(List.of(), files(dir, ".pcapng"), "no complete file yet");
        final List<Path> parts = files(dir, ".part");
        assertEquals(1, parts.size());
        assertEquals("probe-tx-0-0-000000-20240229T123456Z.pcapng.part", parts.get(0).getFileName().toString());
        assertRecords(sent, CaptureFile.read(parts.get(0)));
        assertEquals(10, sink.counters().delivered(), "linger 0s: delivered once written, at the end of each batch");

        sink.close();
        assertEquals(List.of(), files(dir, ".part"));
        assertEquals(List.of(dir.resolve("probe-tx-0-0-000000-20240229T123456Z.pcapng")), files(dir, ".pcapng"));
        assertRecords(sent, read(files(dir, ".pcapng")));
        assertBalanced(sink.counters());
    }

    @Test
    void lingeringPacketsAreWrittenOutByATickOnceTheyHaveWaitedLinger() {
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "linger = 1s");
        send(sink, packets(0, 5, 70, T0), 5);
        assertEquals(0, sink.counters().delivered());
        assertEquals(5, sink.counters().inFlight(), "buffered packets are in flight");

        clock.advance(Duration.ofMillis(999));
        sink.tick();
        assertEquals(5, sink.counters().inFlight(), "not yet: 999 ms of 1 s");
        clock.advance(Duration.ofMillis(1));
        sink.tick();
        assertEquals(5, sink.counters().delivered(), "written out after 1 s without any further packet");
        assertEquals(5, CaptureFile.read(files(dir, ".part").get(0)).size(), "and really in the file");
        assertEquals(5.0, sink.details().get("current-file-packets"));

        assertTrue(sink.flush(Duration.ZERO));
        sink.close();
        assertBalanced(sink.counters());
    }

    @Test
    void filesRotateByTimeOnTicksEvenWhenNoPacketsCome() {
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "rotate.interval = 1m", "linger = 0s");
        send(sink, packets(0, 10, 64, T0), 10);
        clock.advance(Duration.ofSeconds(59));
        sink.tick();
        assertEquals(List.of(), files(dir, ".pcapng"), "open for 59 s of 60");

        clock.advance(Duration.ofSeconds(1));
        sink.tick();
        assertEquals(List.of(), files(dir, ".part"), "completed on time without a packet");
        assertEquals(1, files(dir, ".pcapng").size());
        assertEquals(1.0, sink.details().get("files-written"));

        clock.advance(Duration.ofHours(1));
        sink.tick();
        assertEquals(1, files(dir, ".pcapng").size(), "no empty files while nothing comes");

        send(sink, packets(10, 3, 64, T0), 3);
        final List<Path> parts = files(dir, ".part");
        assertEquals(1, parts.size());
        assertTrue(parts.get(0).getFileName().toString().startsWith("probe-tx-0-0-000001-"), "the next packet opens file 1");
        sink.close();
        assertRecords(packets(0, 13, 64, T0), read(files(dir, ".pcapng")));
        assertBalanced(sink.counters());
    }

    @Test
    void retentionByCountDeletesTheOldestOfTheWorkersOwnFilesOnly() throws IOException {
        // Files of another worker, another program and a file being written by someone: never touched.
        final Path otherWorker = Files.writeString(dir.resolve("probe-tx-0-1-000000-20240229T123456Z.pcapng"), "x");
        final Path foreign = Files.writeString(dir.resolve("notes-000001.pcapng"), "x");
        final Path otherPart = Files.writeString(dir.resolve("probe-tx-0-1-000001-20240229T123456Z.pcapng.part"), "x");
        final long perFile = 10;
        final long rotateSize = CaptureFormat.PCAPNG.headerLength() + perFile * CaptureFormat.PCAPNG.recordLength(100);
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "rotate.size = " + rotateSize, "retention.max-files = 3",
                "linger = 0s");
        for (int file = 0; file < 10; file++) {
            send(sink, packets(file * 10, 10, 100, T0), 10);
            final List<Path> complete = own(".pcapng");
            assertTrue(complete.size() <= 3, "after file " + file + ": " + complete);
            assertEquals(1, own(".part").size(), "the file being written is there, never deleted");
        }
        sink.close();
        final List<Path> kept = own(".pcapng");
        assertEquals(3, kept.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(kept.get(i).getFileName().toString().startsWith(String.format("probe-tx-0-0-%06d-", 7 + i)),
                    "the newest are kept: " + kept);
        }
        assertRecords(packets(70, 30, 100, T0), read(kept));
        assertEquals(7.0, sink.details().get("files-deleted"));
        assertEquals(10.0, sink.details().get("files-written"));
        assertEquals((double) (Files.size(kept.get(0)) * 3), sink.details().get("bytes-on-disk"));
        assertTrue(Files.exists(otherWorker) && Files.exists(foreign) && Files.exists(otherPart));
    }

    @Test
    void retentionByBytesKeepsTheNewestFilesThatFit() throws IOException {
        final long rotateSize = CaptureFormat.PCAP.headerLength() + 10 * CaptureFormat.PCAP.recordLength(200);
        final Sink sink = FileSinks.open(dir, clock, "tx-0-0", "format = pcap", "rotate.size = " + rotateSize,
                "retention.max-files = 0", "retention.max-bytes = " + (rotateSize * 5 / 2), "linger = 0s");
        send(sink, packets(0, 95, 200, T0), 7);
        sink.close();
        final List<Path> kept = own(".pcap");
        assertEquals(2, kept.size(), "two full files fit in 2.5 files' bytes, not three: " + kept);
        assertTrue(kept.get(0).getFileName().toString().startsWith("probe-tx-0-0-000008-"));
        assertTrue(kept.get(1).getFileName().toString().startsWith("probe-tx-0-0-000009-"));
        assertRecords(packets(80, 15, 200, T0), read(kept));
        assertEquals(8.0, sink.details().get("files-deleted"));
        assertBalanced(sink.counters());
    }

    @Test
    void leftoversOfACrashedRunAreCutAfterTheirLastWholePacketAndCompletedAtStart() throws IOException {
        // A run that ended in the middle of a record, and one that ended before its header was whole.
        final Path crashed = dir.resolve("probe-tx-0-0-000005-20240229T123456Z.pcapng.part");
        final List<CaptureFile.Record> whole = packets(0, 3, 150, T0);
        try (FileChannel channel = FileChannel.open(crashed, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final CaptureWriter writer = CaptureWriter.open(CaptureFormat.PCAPNG, channel, ByteBuffer.allocate(4096), 1,
                    CaptureWriter.MAX_SNAPLEN);
            for (final CaptureFile.Record r : packets(0, 4, 150, T0)) {
                writer.write(r.timestampNanos(), r.wireLength(), r.data(), 0, r.data().length);
            }
            writer.flush();
            channel.truncate(writer.bytesWritten() - 50);
        }
        final Path empty = dir.resolve("probe-tx-0-1-000002-20240229T123456Z.pcap.part");
        Files.write(empty, new byte[] {(byte) 0x4d, 0x3c, (byte) 0xb2, (byte) 0xa1, 2, 0, 4});

        final FileSinkProvider provider = new FileSinkProvider();
        final Sink sink = provider.configure(FileSinks.config(dir, "linger = 0s")).create(TestContext.worker("tx-0-0"));
        final Path finished = dir.resolve("probe-tx-0-0-000005-20240229T123456Z.pcapng");
        assertTrue(Files.exists(finished), "completed under its name");
        assertFalse(Files.exists(crashed));
        assertFalse(Files.exists(empty), "nothing whole in it: removed");
        assertRecords(whole, CaptureFile.read(finished));

        send(sink, packets(10, 2, 60, T0), 2);
        sink.close();
        assertTrue(Files.exists(dir.resolve("probe-tx-0-0-000006-20240229T123456Z.pcapng")),
                "numbers go on from the highest in the folder: " + files(dir, ""));
    }

    @Test
    void workersWriteFilesOfTheirOwnSideBySide() throws Exception {
        final int workers = 2;
        final int packetsPerWorker = 20_000;
        final ExecutorService threads = Executors.newFixedThreadPool(workers);
        try {
            final List<Future<Sink>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                final int worker = w;
                done.add(threads.submit((Callable<Sink>) () -> {
                    final Sink sink = FileSinks.open(dir, System::nanoTime, "tx-0-" + worker, "rotate.size = 64KiB",
                            "retention.max-files = 4", "buffer-size = 16KiB");
                    send(sink, packets(worker * 1_000_000, packetsPerWorker, 90, T0), 100);
                    sink.close();
                    return sink;
                }));
            }
            for (int w = 0; w < workers; w++) {
                final Sink sink = done.get(w).get(60, TimeUnit.SECONDS);
                assertEquals(packetsPerWorker, sink.counters().delivered());
                assertBalanced(sink.counters());
                final String prefix = "probe-tx-0-" + w + "-";
                final List<Path> own = files(dir, ".pcapng").stream()
                        .filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
                assertEquals(4, own.size(), "retention per worker");
                final List<CaptureFile.Record> records = read(own);
                final int kept = records.size();
                assertRecords(packets(w * 1_000_000 + packetsPerWorker - kept, kept, 90, T0), records);
            }
            assertEquals(8, files(dir, ".pcapng").size());
            assertEquals(List.of(), files(dir, ".part"));
        } finally {
            threads.shutdownNow();
        }
    }

    private List<Path> own(final String suffix) {
        return files(dir, suffix).stream().filter(p -> p.getFileName().toString().startsWith("probe-tx-0-0-")).toList();
    }
}
