package dev.probe.sink.file;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import static dev.probe.sink.file.FileSinks.assertRecords;
import static dev.probe.sink.file.FileSinks.files;
import static dev.probe.sink.file.FileSinks.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real pipeline, in-process: the pcap source reads a shared capture, transmit workers hand it to
 * file sinks created through the plugin registry and the configuration as a user gives it, and the
 * files written match the manifest while the summary balances.
 */
class FileSinkPipelineTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    private ProbeRun.Result run(final SharedCaptures.Entry entry, final String... settings) throws InterruptedException {
        final List<String> overrides = new ArrayList<>(List.of("probe.source.type=pcap",
                "probe.source.pcap.file=\"" + entry.path() + "\"", "probe.sink.type=file",
                "probe.sink.file.directory=\"" + dir + "\"", "probe.receive.idle-strategy=sleep",
                "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s"));
        overrides.addAll(List.of(settings));
        final ProbeRun.Result result = new ProbeRun(ConfigLoader.load(null, overrides, Plugins.classpath()),
                Plugins.classpath(), null, new PrintStream(output, true, StandardCharsets.UTF_8)).execute();
        assertTrue(result.snapshot().balances(), "captured = delivered + dropped + in flight");
        assertEquals(0, result.snapshot().inFlight(), "nothing in flight after the stop");
        assertEquals(List.of(), files(dir, ".part"), "no file left being written");
        return result;
    }

    @Test
    void aCaptureRunThroughTheProbeIntoRotatingFilesMatchesItsManifest() throws InterruptedException {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        final ProbeRun.Result result = run(entry, "probe.sink.file.rotate.size=64KiB");
        final Snapshot s = result.snapshot();
        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome(), output.toString(StandardCharsets.UTF_8));
        assertEquals(0, result.exitCode());
        assertEquals(entry.packets(), s.captured());
        assertEquals(entry.packets(), s.delivered());
        assertEquals(entry.bytes(), s.bytesDelivered());
        assertEquals(0, s.droppedTotal());
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("probe: connecting to pcapng files in " + dir
                + " (rotate at 64 KiB or 1h, keep 100 files per worker)"), output.toString(StandardCharsets.UTF_8));

        final List<Path> written = files(dir, ".pcapng");
        assertTrue(written.size() > 5, "512 KB in 64 KiB files: " + written);
        final List<CaptureFile.Record> back = read(written);
        assertEquals(entry.framesSha256(), CaptureFile.recordsSha256(back));
        assertRecords(CaptureFile.read(entry.path()), back);
        assertEquals((double) written.size(), s.queues().get(0).workers().get(0).details().get("files-written"));
    }

    @Test
    void twoWorkersOfARingWriteFilesOfTheirOwnThatTogetherHoldTheCapture() throws InterruptedException {
        final SharedCaptures.Entry entry = SharedCaptures.entry("arp-oobr.pcap");
        final ProbeRun.Result result = run(entry, "probe.transmit.workers-per-ring=2", "probe.transmit.burst-size=16",
                "probe.sink.file.format=pcap", "probe.sink.file.rotate.size=16KiB", "probe.sink.file.retention.max-files=0");
        final Snapshot s = result.snapshot();
        assertEquals(0, result.exitCode(), output.toString(StandardCharsets.UTF_8));
        assertEquals(entry.packets(), s.delivered());

        final List<CaptureFile.Record> expected = CaptureFile.read(entry.path());
        final List<CaptureFile.Record> all = new ArrayList<>();
        for (final Snapshot.Worker worker : s.queues().get(0).workers()) {
            final List<Path> own = files(dir, ".pcap").stream()
                    .filter(p -> p.getFileName().toString().startsWith("probe-" + worker.name() + "-")).toList();
            final List<CaptureFile.Record> records = read(own);
            assertEquals(worker.delivered(), records.size(), worker.name() + ": its files hold what it delivered");
            assertInOrderWithin(expected, records);
            all.addAll(records);
        }
        assertEquals(sorted(expected), sorted(all), "together: every packet once, with its time and wire length");
    }

    @Test
    void aPacketPcapCannotHoldIsACountedDropWithItsReasonInTheSummary() throws InterruptedException {
        final ProbeRun.Result result = run(SharedCaptures.entry("time_2106_overflow.pcapng"), "probe.sink.file.format=pcap");
        final Snapshot s = result.snapshot();
        assertEquals(1, s.captured());
        assertEquals(0, s.delivered());
        assertEquals(1, s.dropped().get("sink-invalid-timestamp"));
        assertTrue(s.dropMessages().get("sink-invalid-timestamp").contains("2106-02-07T06:28:16Z"));
        assertEquals(ProbeRun.EXIT_INCOMPLETE, result.exitCode(), "a file read to its end with drops");
        assertEquals(List.of(), files(dir, ""), "no file for no packet");
    }

    /** Each of {@code records} appears in {@code expected}, in the same order. */
    private static void assertInOrderWithin(final List<CaptureFile.Record> expected, final List<CaptureFile.Record> records) {
        int at = 0;
        for (final CaptureFile.Record r : records) {
            while (at < expected.size() && !same(expected.get(at), r)) {
                at++;
            }
            assertTrue(at < expected.size(), "a worker's files keep the capture's order");
            at++;
        }
    }

    private static boolean same(final CaptureFile.Record a, final CaptureFile.Record b) {
        return a.timestampNanos() == b.timestampNanos() && a.wireLength() == b.wireLength() && Arrays.equals(a.data(), b.data());
    }

    private static List<String> sorted(final List<CaptureFile.Record> records) {
        return records.stream().map(r -> r.timestampNanos() + "/" + r.wireLength() + "/" + HexFormat.of().formatHex(r.data()))
                .sorted(Comparator.naturalOrder()).toList();
    }
}
