package dev.probe.source.pcap;

import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;
import dev.probe.spi.CaptureSource;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source reports its link type and the time of a file's first packet, and {@code validate} (what
 * {@code probe check} calls) rejects what {@code open} would, without capturing.
 */
class LinkTypeAndValidationTest {
    @TempDir
    Path dir;

    @Test
    void aCookedCaptureReportsLinkType113AndHandsOutItsFramesUnchanged() throws IOException {
        final List<byte[]> frames = CookedCaptures.frames(LinkType.LINUX_SLL, 5);
        final Path file = Files.write(dir.resolve("any.pcap"), CookedCaptures.file(LinkType.LINUX_SLL, frames));

        try (CaptureSource source = Captures.openFile(file, "")) {
            assertEquals(LinkType.LINUX_SLL, source.linkType());
            final List<Captures.Packet> packets = Captures.drain(source, 7);
            assertEquals(5, packets.size());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(frames.get(i), packets.get(i).data(), "frame " + i);
            }
        }
    }

    @Test
    void aRawIpCaptureReportsTheRegistryValue101NotLibpcapsDlt12() throws IOException {
        final Path file = Files.write(dir.resolve("raw.pcap"), CookedCaptures.file(LinkType.RAW, CookedCaptures.frames(101, 2)));
        try (CaptureSource source = Captures.openFile(file, "")) {
            assertEquals(LinkType.RAW, source.linkType());
        }
    }

    @Test
    void anEthernetCaptureReportsLinkType1() {
        try (CaptureSource source = Captures.openFile(SharedCaptures.entry("of13_ericsson.pcapng").path(), "")) {
            assertEquals(LinkType.ETHERNET, source.linkType());
        }
    }

    @Test
    void aFileReportsItsFirstRecordsTimeBeforeAnyFilter() {
        final Path file = SharedCaptures.entry("dns_udp_2.pcap").path();
        final long first = CaptureFile.read(file).getFirst().timestampNanos();
        try (CaptureSource all = Captures.openFile(file, "");
             CaptureSource none = Captures.openFile(file, "probe.source.pcap.filter = tcp")) {
            assertEquals(OptionalLong.of(first), all.firstTimestampNanos());
            assertEquals(OptionalLong.of(first), none.firstTimestampNanos(), "the file's first record, whatever the filter");
        }
    }

    @Test
    void aFileWithoutRecordsHasNoFirstTime() {
        try (CaptureSource source = Captures.openFile(SharedCaptures.entry("empty.pcapng").path(), "")) {
            assertEquals(OptionalLong.empty(), source.firstTimestampNanos());
        }
    }

    @Test
    void aPcapngPast2106ReportsItsFirstTimeExactly() {
        try (CaptureSource source = Captures.openFile(SharedCaptures.entry("time_2106_overflow.pcapng").path(), "")) {
            assertEquals(OptionalLong.of(4_294_967_296_000_000_000L), source.firstTimestampNanos());
        }
    }

    @Test
    void validateAcceptsAReadableCaptureWithAFilterThatCompiles() {
        final Path file = SharedCaptures.entry("dns_udp_2.pcap").path();
        assertDoesNotThrow(() -> validate(Captures.fileSetting(file) + "probe.source.pcap.filter = \"udp port 53\""));
    }

    @Test
    void validateRejectsAMissingFileNamingTheFileAndSetting() {
        final Path file = dir.resolve("missing.pcap");
        final ProbeException e = assertThrows(ProbeException.class, () -> validate(Captures.fileSetting(file)));
        assertEquals("Cannot read capture file " + file + ": no such file (probe.source.pcap.file)", e.getMessage());
    }

    @Test
    void validateRejectsAFileThatIsNotACapture() throws IOException {
        final Path file = Files.writeString(dir.resolve("notes.pcap"), "these are not packets, just some notes\n");
        final ProbeException e = assertThrows(ProbeException.class, () -> validate(Captures.fileSetting(file)));
        assertEquals("Cannot read capture file " + file + ": unknown file format (probe.source.pcap.file)", e.getMessage());
    }

    @Test
    void validateRejectsAFolder() {
        final ProbeException e = assertThrows(ProbeException.class, () -> validate(Captures.fileSetting(dir)));
        assertTrue(e.getMessage().startsWith("Cannot read capture file " + dir + ": it is a directory"), e.getMessage());
    }

    @Test
    void validateCompilesTheFilterForTheFilesLinkType() throws IOException {
        final Path raw = Files.write(dir.resolve("raw.pcap"), CookedCaptures.file(LinkType.RAW, CookedCaptures.frames(101, 1)));
        final Path ethernet = SharedCaptures.entry("dns_udp_2.pcap").path();
        final String filter = "probe.source.pcap.filter = \"ether host 02:00:00:00:00:01\"";

        assertDoesNotThrow(() -> validate(Captures.fileSetting(ethernet) + filter));
        final ProbeException e = assertThrows(ProbeException.class, () -> validate(Captures.fileSetting(raw) + filter));

        assertTrue(e.getMessage().startsWith("Invalid value \"ether host 02:00:00:00:00:01\" for probe.source.pcap.filter: "
                + "expected a BPF expression libpcap can compile, libpcap says: "), e.getMessage());
        assertTrue(e.getMessage().contains("(for raw-ip)"), e.getMessage());
        final ProbeException atOpen = assertThrows(ProbeException.class, () -> Captures.openFile(raw, filter));
        assertEquals(e.getMessage(), atOpen.getMessage(), "check says what run would");
    }

    @Test
    void validateRejectsASyntaxErrorInTheFilterOfAnInterface() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> validate("probe.source.pcap { interface = lo, filter = \"port port\" }"));
        assertTrue(e.getMessage().startsWith("Invalid value \"port port\" for probe.source.pcap.filter: expected a BPF "
                + "expression libpcap can compile"), e.getMessage());
    }

    @Test
    void validateRejectsAnAbsentInterfaceListingThePresentOnes() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> validate("probe.source.pcap.interface = no-such-if0"));
        assertTrue(e.getMessage().startsWith("No interface named no-such-if0 to capture from "
                + "(probe.source.pcap.interface); available: "), e.getMessage());
    }

    @Test
    void validateAcceptsAPresentInterfaceWithoutOpeningIt() {
        assertDoesNotThrow(() -> validate("probe.source.pcap { interface = lo, filter = \"udp\" }"));
    }

    @Test
    void validateChecksEveryLiveSettingEvenForAFile() {
        final String file = Captures.fileSetting(SharedCaptures.entry("dns_udp_2.pcap").path());
        for (final String bad : List.of("snaplen = 1.5", "snaplen = 262145", "buffer-size = -1", "buffer-size = 3 GiB",
                "timeout = 0", "timeout = 11s", "promiscuous = 1", "buffer-packets = 16777217", "buffer-packets = 2.5",
                "filter = [udp]")) {
            final String key = "probe.source.pcap." + bad.substring(0, bad.indexOf(' '));
            final ProbeException e = assertThrows(ProbeException.class,
                    () -> validate(file + "probe.source.pcap." + bad), bad);
            assertTrue(e.getMessage().startsWith("Invalid value ") && e.getMessage().contains(" for " + key + ": expected "),
                    bad + ": " + e.getMessage());
        }
    }

    @Test
    void theLinkTypeMappingIsItsOwnInverseForEveryValueLibpcapMaps() {
        for (final int linkType : Arrays.asList(0, 1, 100, 101, 102, 103, 105, 106, 113, 127, 276)) {
            assertEquals(linkType, dev.probe.source.pcap.internal.LinkTypes.linkTypeOf(
                    dev.probe.source.pcap.internal.LinkTypes.dltOf(linkType)), "link type " + linkType);
        }
    }

    private static void validate(final String hocon) {
        new PcapSourceProvider().validate(Captures.config(hocon));
    }
}
