package dev.probe.source.pcap;

import com.typesafe.config.ConfigFactory;
import dev.probe.api.ProbeException;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.ReceiveQueue;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings are checked once, at open, with one line naming the setting. */
class PcapSettingsTest {

    @Test
    void isFoundByServiceLoaderUnderTheNamePcap() {
        final List<CaptureSourceProvider> providers = ServiceLoader.load(CaptureSourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("pcap")).toList();

        assertEquals(1, providers.size());
        assertTrue(providers.getFirst() instanceof PcapSourceProvider);
    }

    @Test
    void referenceConfigurationHoldsEveryDefault() {
        final PcapSettings defaults = PcapSettings.from(Captures.config("probe.source.pcap.file = x.pcap"));

        assertEquals(262_144, defaults.snaplen());
        assertTrue(defaults.promiscuous());
        assertEquals("", defaults.filter());
        assertEquals(16 * 1024 * 1024, defaults.bufferSize());
        assertEquals(10, defaults.timeoutMillis());
        assertEquals(65_536, defaults.bufferPackets());
        assertEquals(Path.of("x.pcap").toAbsolutePath(), defaults.file());
        assertEquals("", ConfigFactory.defaultReference().getString("probe.source.pcap.interface"));
    }

    @Test
    void rejectsNeitherFileNorInterfaceNamingBoth() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> new PcapSourceProvider().open(Captures.config("")));

        assertEquals("No capture file or interface for the pcap source: set probe.source.pcap.file (run -r FILE) "
                + "or probe.source.pcap.interface (run -i IFACE)", e.getMessage());
    }

    @Test
    void rejectsBothFileAndInterfaceNamingBoth() {
        final ProbeException e = assertThrows(ProbeException.class, () -> new PcapSourceProvider().open(
                Captures.config("probe.source.pcap { file = a.pcap, interface = lo }")));

        assertTrue(e.getMessage().startsWith("Exactly one of probe.source.pcap.file and probe.source.pcap.interface "
                + "must be set: both are (probe.source.pcap.file = \"a.pcap\""), e.getMessage());
        assertTrue(e.getMessage().contains("probe.source.pcap.interface = \"lo\""), e.getMessage());
    }

    @Test
    void rejectsSnaplenZeroNamingTheSetting() {
        final ProbeException e = assertThrows(ProbeException.class, () -> new PcapSourceProvider().open(
                Captures.config("probe.source.pcap { file = a.pcap, snaplen = 0 }")));

        assertTrue(e.getMessage().startsWith("Invalid value 0 for probe.source.pcap.snaplen: expected an integer "
                + "from 1 to 262144"), e.getMessage());
    }

    @Test
    void rejectsBadBufferPacketsBufferSizeAndTimeoutNamingEach() {
        assertRejected("buffer-packets = 0", "probe.source.pcap.buffer-packets");
        assertRejected("buffer-size = 1 KiB", "probe.source.pcap.buffer-size");
        assertRejected("buffer-size = lots", "probe.source.pcap.buffer-size");
        assertRejected("timeout = 0ms", "probe.source.pcap.timeout");
        assertRejected("timeout = 1m", "probe.source.pcap.timeout");
        assertRejected("promiscuous = maybe", "probe.source.pcap.promiscuous");
    }

    @Test
    void rejectsAFilterLibpcapCannotCompileWithLibpcapsMessage() {
        final Path file = SharedCaptures.entry("dns_udp_2.pcap").path();

        final ProbeException e = assertThrows(ProbeException.class,
                () -> Captures.openFile(file, "probe.source.pcap.filter = \"udp port nonsense\""));

        assertTrue(e.getMessage().startsWith("Invalid value \"udp port nonsense\" for probe.source.pcap.filter: "
                + "expected a BPF expression libpcap can compile, libpcap says: "), e.getMessage());
        assertTrue(e.getMessage().contains("nonsense"), e.getMessage());
    }

    @Test
    void appliesTheFilterToCaptureFiles() {
        final Path file = SharedCaptures.entry("dns_udp_2.pcap").path();
        try (CaptureSource udp = Captures.openFile(file, "probe.source.pcap.filter = udp");
             CaptureSource tcp = Captures.openFile(file, "probe.source.pcap.filter = tcp")) {
            assertEquals(2, Captures.drain(udp, 7).size());
            assertEquals(ReceiveQueue.END_OF_INPUT, tcp.queues().getFirst().poll(new dev.probe.api.PacketBurst(7)));
        }
    }

    @Test
    void listsTheAvailableInterfacesWhenTheNamedOneIsAbsent() {
        final ProbeException e = assertThrows(ProbeException.class, () -> new PcapSourceProvider().open(
                Captures.config("probe.source.pcap.interface = no-such-if0")));

        assertTrue(e.getMessage().startsWith("No interface named no-such-if0 to capture from "
                + "(probe.source.pcap.interface); available: "), e.getMessage());
        assertTrue(e.getMessage().contains("lo"), e.getMessage());
    }

    private static void assertRejected(final String setting, final String path) {
        final ProbeException e = assertThrows(ProbeException.class, () -> new PcapSourceProvider().open(
                Captures.config("probe.source.pcap { file = a.pcap, " + setting + " }")));
        assertTrue(e.getMessage().startsWith("Invalid value ") && e.getMessage().contains(" for " + path + ": expected "),
                e.getMessage());
    }
}
