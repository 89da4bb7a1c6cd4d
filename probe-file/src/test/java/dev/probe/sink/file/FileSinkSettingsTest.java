package dev.probe.sink.file;

import dev.probe.api.ProbeException;
import dev.probe.file.format.CaptureFormat;
import dev.probe.spi.SinkFactory;
import dev.probe.testkit.TestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings of reference.conf are valid and described; every bad value fails with one line naming
 * its path and what was expected; a folder that is missing or is a file fails creation naming
 * probe.sink.file.directory.
 */
class FileSinkSettingsTest {
    @TempDir
    Path dir;

    @Test
    void theReferenceSettingsAreValidAndTheDescriptionSaysWhatHappens() {
        final FileSinkSettings s = FileSinkSettings.from(FileSinks.config(dir));
        assertEquals(CaptureFormat.PCAPNG, s.format());
        assertEquals(1L << 30, s.rotateSize());
        assertEquals(Duration.ofHours(1), s.rotateInterval());
        assertEquals(100, s.maxFiles());
        assertEquals(FsyncPolicy.ROTATE, s.fsync());
        assertEquals("pcapng files in " + dir + " (rotate at 1 GiB or 1h, keep 100 files per worker)",
                new FileSinkProvider().configure(FileSinks.config(dir)).description());
        assertEquals("pcap files in " + dir + " (rotate every 15m, keep 2 files and 10 GiB per worker)",
                FileSinkSettings.from(FileSinks.config(dir, "format = pcap", "rotate.size = 0", "rotate.interval = 15m",
                        "retention.max-files = 2", "retention.max-bytes = 10GiB")).description());
        assertEquals("pcapng files in " + dir + " (no rotation, keep every file)", FileSinkSettings.from(FileSinks.config(dir,
                "rotate.size = 0", "rotate.interval = 0s", "retention.max-files = 0")).description());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "directory|\"\"|expected a non-empty string",
        "format|pcap2|expected one of pcap, pcapng",
        "file-name|\"probe-{time}.pcap\"|expected a name with {worker} and {seq}",
        "file-name|\"probe-{worker}-{seq}-{date}.pcap\"|{date} is not one",
        "file-name|\"probe-{worker}-{seq}-{seq}\"|{seq} appears twice",
        "file-name|\"a/probe-{worker}-{seq}\"|a name, not a path",
        "file-name|\"probe-{worker}-{seq}.part\"|not ending in .part",
        "rotate.size|-1|expected a size",
        "rotate.interval|soon|expected a duration",
        "retention.max-files|1.5|expected an integer from 0",
        "retention.max-bytes|1MiB|at least probe.sink.file.rotate.size",
        "fsync|sometimes|expected one of never, rotate, interval",
        "fsync-interval|0s|expected a duration such as 5s or 250ms, from 1ms",
        "buffer-size|1KiB|from 4096 to 1073741824 bytes",
        "linger|-1s|expected a duration",
        "retry-interval|[]|expected a duration",
    })
    void aBadValueFailsWithOneLineNamingItsPath(final String key, final String value, final String expected) {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> new FileSinkProvider().configure(FileSinks.config(dir, key + " = " + value)));
        assertTrue(e.getMessage().startsWith("Invalid value "), e.getMessage());
        assertTrue(e.getMessage().contains(" for probe.sink.file." + key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aMissingFolderOrAFileInItsPlaceFailsCreationNamingTheDirectorySetting() throws IOException {
        final Path missing = dir.resolve("missing");
        final SinkFactory factory = new FileSinkProvider().configure(FileSinks.config(missing));
        final ProbeException absent = assertThrows(ProbeException.class, () -> factory.create(TestContext.worker("tx-0-0")));
        assertTrue(absent.getMessage().startsWith("Invalid value \"" + missing + "\" for probe.sink.file.directory: "
                + "expected an existing folder (" + missing + " does not exist)"), absent.getMessage());

        final Path file = Files.writeString(dir.resolve("file"), "x");
        final ProbeException notAFolder = assertThrows(ProbeException.class, () -> new FileSinkProvider()
                .configure(FileSinks.config(file)).create(TestContext.worker("tx-0-0")));
        assertTrue(notAFolder.getMessage().startsWith("Invalid value \"" + file + "\" for probe.sink.file.directory: "
                + "expected an existing folder (" + file + " is not a folder)"), notAFolder.getMessage());
        assertThrows(ProbeException.class, factory::checkDestination);
    }

    @Test
    void checkingTheDestinationDescribesTheFolderAndTheSinksFilesThere() throws IOException {
        Files.write(dir.resolve("probe-tx-0-0-000003-20240229T123456Z.pcapng"), new byte[1024]);
        Files.write(dir.resolve("probe-tx-0-1-000001-20240229T123456Z.pcapng.part"), new byte[10]);
        Files.write(dir.resolve("other.pcapng"), new byte[10]);
        final List<String> lines = new FileSinkProvider().configure(FileSinks.config(dir)).checkDestination();
        assertEquals(2, lines.size(), String.valueOf(lines));
        assertTrue(lines.get(0).startsWith("folder " + dir + ": writable, "), lines.get(0));
        assertEquals("1 complete file(s) of this sink there (1 KiB), 1 unfinished (.part) file(s) of an earlier run, "
                + "finished at start", lines.get(1));
    }
}
