package dev.probe.sink.file;

import dev.probe.api.LinkType;
import dev.probe.file.format.CaptureFormat;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkFailure;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.NativeRequirement;
import dev.probe.testkit.SharedCaptures;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.probe.sink.file.FileSinks.assertBalanced;
import static dev.probe.sink.file.FileSinks.assertRecords;
import static dev.probe.sink.file.FileSinks.files;
import static dev.probe.sink.file.FileSinks.read;
import static dev.probe.sink.file.FileSinks.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shared capture, fed to the file sink record by record (time stamps, captured bytes, wire
 * lengths) and read back from the files it wrote, matches its manifest row exactly, in both formats,
 * across rotated files; capinfos and tshark read the output of a few of them with the same counts,
 * lengths and time stamps.
 */
class FileSinkFidelityTest {

    @TempDir
    Path dir;

    static Stream<Arguments> everyCaptureInBothFormats() {
        return SharedCaptures.require().stream()
                .flatMap(e -> Stream.of(Arguments.of(e, "pcap"), Arguments.of(e, "pcapng")));
    }

    /** Writes {@code records} with the sink: 64 KiB files and buffer, so large frames span both. */
    private Sink write(final List<CaptureFile.Record> records, final String format, final String... more) {
        final List<String> settings = new ArrayList<>(List.of("format = " + format, "rotate.size = 64KiB",
                "buffer-size = 64KiB", "retention.max-files = 0"));
        settings.addAll(List.of(more));
        final FileSinkSettings s = FileSinkSettings.from(FileSinks.config(dir, settings.toArray(String[]::new)));
        final Sink sink = FileSink.start(s, TestContext.worker("tx-0-0").linkType(LinkType.ETHERNET),
                new SinkFolder(s.directory(), s.fileName()), System::nanoTime);
        send(sink, records, 32);
        sink.close();
        assertBalanced(sink.counters());
        assertEquals(List.of(), files(dir, ".part"));
        return sink;
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("everyCaptureInBothFormats")
    void aCaptureWrittenByTheSinkReadsBackAsItsManifestSays(final SharedCaptures.Entry entry, final String format) {
        final List<CaptureFile.Record> records = CaptureFile.read(entry.path());
        final Sink sink = write(records, format);
        final CaptureFormat written = format.equals("pcap") ? CaptureFormat.PCAP : CaptureFormat.PCAPNG;
        final List<CaptureFile.Record> expected = records.stream().filter(r -> written.accepts(r.timestampNanos())).toList();
        final List<CaptureFile.Record> back = read(files(dir, "." + format));

        assertRecords(expected, back);
        assertEquals(expected.size(), sink.counters().delivered());
        if (expected.size() == records.size()) {
            assertEquals(entry.packets(), back.size(), "packets");
            assertEquals(entry.framesSha256(), CaptureFile.recordsSha256(back), "frames_sha256");
            assertEquals(entry.truncated(), back.stream().filter(CaptureFile.Record::truncated).count(), "truncated");
            assertEquals(entry.bytes(), sink.counters().bytesDelivered(), "captured bytes delivered");
            assertEquals(0, sink.counters().failed());
        } else {
            // Only time_2106_overflow.pcapng: its packet is 2^32 s after 1970, one past classic pcap's seconds.
            assertEquals("time_2106_overflow.pcapng", entry.file());
            assertEquals("pcap", format);
            assertEquals(records.size() - expected.size(), sink.counters().failed(SinkFailure.INVALID_TIMESTAMP));
            assertTrue(sink.counters().firstError(SinkFailure.INVALID_TIMESTAMP).contains("2106-02-07T06:28:16Z"),
                    sink.counters().firstError(SinkFailure.INVALID_TIMESTAMP));
            assertTrue(sink.counters().firstError(SinkFailure.INVALID_TIMESTAMP).contains("pcapng"));
        }
        if (entry.bytes() > 200_000) {
            assertTrue(files(dir, "." + format).size() > 3, "a large capture spans several 64 KiB files");
        }
    }

    static Stream<Arguments> aFewCapturesForTheTools() {
        SharedCaptures.require();
        return Stream.of("afs.pcap", "bgp-as-path-oobr.pcap", "bigtcp-ipv4.pcap", "of13_ericsson.pcapng")
                .flatMap(f -> Stream.of(Arguments.of(SharedCaptures.entry(f), "pcap"),
                        Arguments.of(SharedCaptures.entry(f), "pcapng")));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("aFewCapturesForTheTools")
    void capinfosAndTsharkReadTheFilesWithTheSameCountsLengthsAndTimes(final SharedCaptures.Entry entry,
                                                                         final String format) throws Exception {
        NativeRequirement.require(Files.isExecutable(Path.of("/usr/bin/capinfos")) && Files.isExecutable(Path.of("/usr/bin/tshark")),
                "capinfos and tshark are not installed (Debian packages wireshark-common and tshark; bin/test installs them)");
        final List<CaptureFile.Record> records = CaptureFile.read(entry.path());
        write(records, format, "rotate.size = 0");
        final List<Path> out = files(dir, "." + format);
        assertEquals(1, out.size());
        final Path file = out.get(0);

        final List<String> capinfos = run("capinfos", "-T", "-M", "-c", "-r", file.toString());
        assertEquals(1, capinfos.size(), String.valueOf(capinfos));
        assertEquals(file + "\t" + entry.packets(), capinfos.get(0), "capinfos: packet count");

        final List<String> tshark = run("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch");
        assertEquals(entry.packets(), tshark.size(), "tshark: packets");
        for (int i = 0; i < records.size(); i++) {
            final String[] fields = tshark.get(i).split("\t");
            final CaptureFile.Record r = records.get(i);
            assertEquals(r.wireLength(), Integer.parseInt(fields[0]), "tshark frame.len (wire) of " + i);
            assertEquals(r.capturedLength(), Integer.parseInt(fields[1]), "tshark frame.cap_len of " + i);
            assertEquals(BigDecimal.valueOf(r.timestampNanos(), 9), new BigDecimal(fields[2]),
                    "tshark frame.time_epoch of " + i + " to the nanosecond");
        }
    }

    /** Runs a tool, bounded; its standard output lines, or a failure with its standard error. */
    private List<String> run(final String... command) throws IOException, InterruptedException {
        final Path out = Files.createTempFile(dir.getParent(), "tool-", ".out");
        final Path err = Files.createTempFile(dir.getParent(), "tool-", ".err");
        try {
            final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            final boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertTrue(ended, command[0] + " did not end within 60 s");
            assertEquals(0, p.exitValue(), command[0] + " failed: " + Files.readString(err));
            return Files.readString(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
