package dev.probe.source.dpdk;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.probe.api.ProbeException;
import dev.probe.source.dpdk.internal.EalArgs;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings read from reference.conf and their validation, as {@code probe check} runs it; no DPDK needed. */
class DpdkSettingsTest {
    private static final DpdkSourceProvider PROVIDER = new DpdkSourceProvider();

    @TempDir
    Path dir;

    @Test
    void referenceConfHoldsADevelopmentDefault() {
        final DpdkSettings s = DpdkSettings.from(TestConfigs.config(List.of(), Map.of()).withFallback(
                TestConfigs.reference()));
        final DpdkSettings defaults = DpdkSettings.from(TestConfigs.reference());
        assertTrue(defaults.ealArgs().containsAll(List.of("--no-huge", "--no-pci", "--file-prefix")), defaults.ealArgs().toString());
        assertEquals(List.of(), s.ealArgs());
        assertEquals(1, defaults.rxQueues());
        assertEquals(1024, defaults.rxDescriptors());
        assertEquals(List.of(DpdkSettings.RssField.IP, DpdkSettings.RssField.TCP, DpdkSettings.RssField.UDP),
                defaults.rssFields());
        assertFalse(defaults.rssSymmetric());
        assertEquals(32767, defaults.mbufs());
        assertEquals(9216, defaults.dataRoom());
        assertEquals(Duration.ofSeconds(5), defaults.linkWait());
        assertEquals(DpdkSettings.Timestamps.CLOCK, defaults.timestamps());
        assertEquals(DpdkSettings.Live.AUTO, defaults.live());
    }

    @Test
    void tooFewMbufsFailSayingHowManyAreNeeded() {
        final ProbeException e = assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(
                List.of(), Map.of("rx-queues", 2, "mbufs", 1000)).withFallback(com.typesafe.config.ConfigFactory
                .parseMap(Map.of("probe.receive.burst-size", 32, "probe.transmit.ring-size", 2048,
                        "probe.transmit.workers-per-ring", 2, "probe.transmit.burst-size", 256)))));
        // 2 x (1024 + 2048 + 32 + 2 x 256) + (1 + 2 + 2 x 2) x 384 = 7232 + 2688
        assertTrue(e.getMessage().startsWith("Invalid value 1000 for probe.source.dpdk.mbufs: expected at least 9920 ="
                + " rx-queues 2 x (rx-descriptors 1024 + probe.transmit.ring-size 2048 + probe.receive.burst-size 32"
                + " + probe.transmit.workers-per-ring 2 x probe.transmit.burst-size 256) + 7 threads (1 main"
                + " + rx-queues 2 + rx-queues 2 x workers-per-ring 2) x 384 (1.5 x mbuf-cache 256)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void theMbufCountJustEnoughPassesAndOneLessFails() {
        final Map<String, Object> runtime = Map.of("probe.receive.burst-size", 32, "probe.transmit.ring-size", 2048,
                "probe.transmit.workers-per-ring", 2, "probe.transmit.burst-size", 256);
        assertEquals(9920, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("rx-queues", 2, "mbufs", 9920))
                .withFallback(com.typesafe.config.ConfigFactory.parseMap(runtime))).mbufs());
        assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(List.of(),
                Map.of("rx-queues", 2, "mbufs", 9919)).withFallback(com.typesafe.config.ConfigFactory.parseMap(runtime))));
    }

    @Test
    void withoutRuntimeSettingsOnlyDescriptorsAndReceiveCachesCount() {
        final ProbeException e = assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(
                List.of(), Map.of("rx-queues", 2, "mbufs", 1000, "mbuf-cache", 100))));
        // 2 x 1024 + (1 + 2) x 150
        assertTrue(e.getMessage().contains("expected at least 2498 = rx-queues 2 x (rx-descriptors 1024"
                + " + probe.transmit.ring-size 0 + probe.receive.burst-size 0 + probe.transmit.workers-per-ring 0"
                + " x probe.transmit.burst-size 0) + 3 threads"), e.getMessage());
    }

    @Test
    void anUnknownRssFieldFailsListingTheKnownOnes() {
        final ProbeException e = assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(
                List.of(), Map.of("rss.fields", List.of("ip", "mpls")))));
        assertTrue(e.getMessage().contains("probe.source.dpdk.rss.fields: expected a list of ip, l2-payload, sctp, tcp, udp"),
                e.getMessage());
    }

    @Test
    void aCacheAboveTwoThirdsOfThePoolFails() {
        final ProbeException e = assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(
                List.of(), Map.of("mbufs", 600, "mbuf-cache", 512, "rx-descriptors", 64))));
        assertTrue(e.getMessage().contains("probe.source.dpdk.mbuf-cache: expected at most mbufs / 1.5 = 400"),
                e.getMessage());
    }

    @Test
    void timestampsAreNicOrClock() {
        final ProbeException e = assertThrows(ProbeException.class, () -> DpdkSettings.from(TestConfigs.config(
                List.of(), Map.of("timestamps", "ptp"))));
        assertTrue(e.getMessage().contains("probe.source.dpdk.timestamps: expected one of clock, nic"), e.getMessage());
    }

    @Test
    void liveIsAutoTrueOrFalseAndNothingElse() {
        assertEquals(DpdkSettings.Live.TRUE, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("live", true))).live());
        assertEquals(DpdkSettings.Live.FALSE, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("live", "false"))).live());
        assertEquals(DpdkSettings.Live.AUTO, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("live", "auto"))).live());
        final ProbeException e = assertThrows(ProbeException.class,
                () -> PROVIDER.validate(TestConfigs.config(List.of(), Map.of("live", "sometimes"))));
        assertTrue(e.getMessage().startsWith("Invalid value \"sometimes\" for probe.source.dpdk.live: expected one of"
                + " auto, false, true"), e.getMessage());
    }

    @Test
    void aFractionIsAnErrorNotTruncated() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> PROVIDER.validate(TestConfigs.config(List.of(), Map.of("rx-queues", 1.5))));
        assertTrue(e.getMessage().startsWith("Invalid value 1.5 for probe.source.dpdk.rx-queues: expected an integer"
                + " from 1 to 1024"), e.getMessage());
        assertEquals(2, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("rx-queues", "2"))).rxQueues(),
                "a string of an integer is an integer, as Typesafe Config reads it");
    }

    /**
     * Every leaf of probe.source.dpdk in reference.conf, given a wrong type, a negative, a fraction and a
     * huge number (and for some keys values of their own type that are still wrong), fails validation
     * with one line naming that key: a new setting without validation fails here.
     */
    @Test
    void everySettingRejectsWrongTypesNegativesFractionsAndHugeValuesNamingItself() {
        final Config reference = TestConfigs.reference().getConfig("probe.source.dpdk");
        final Map<String, List<String>> own = Map.of(
                "eal-args", List.of("[\"-l\", \"1.5\"]", "[\"-l\", \"-1\"]", "[\"-c\", \"0x0\"]",
                        "[\"--lcores\", \"99999999999999999999\"]", "[\"--no-huge\", \"--in-memory\"]"),
                "port", List.of("\"1.5\"", "\"-1\"", "\"32\"", "\"\"", "99999999999999999999"),
                "rss.fields", List.of("[ipx]", "[1.5]"),
                "link-wait", List.of("\"-1s\"", "\"11m\"", "\"99999999999d\"", "5", "\"soon\""),
                "timestamps", List.of("ptp"),
                "live", List.of("yes", "maybe"),
                "mbuf-cache", List.of("513"),
                "data-room", List.of("63", "65408"),
                "rx-descriptors", List.of("0", "65536"));
        final List<String> generic = List.of("{x = 1}", "-1", "1.5", "99999999999999999999", "-99999999999999999999",
                "1e30", "[-1]");
        int checked = 0;
        for (final Map.Entry<String, ConfigValue> leaf : reference.entrySet()) {
            final String key = leaf.getKey();
            final List<String> values = new ArrayList<>(generic);
            values.addAll(own.getOrDefault(key, List.of()));
            for (final String value : values) {
                final Config config = ConfigFactory.parseString("probe.source.dpdk." + key + " = " + value)
                        .withFallback(TestConfigs.config(List.of(), Map.of())).resolve();
                final ProbeException e = assertThrows(ProbeException.class, () -> PROVIDER.validate(config),
                        key + " = " + value);
                assertTrue(e.getMessage().contains(" for probe.source.dpdk." + key + ": expected "),
                        key + " = " + value + ": " + e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= 13 * generic.size(), "every setting walked: " + checked);
    }

    @Test
    void aCoreThisMachineDoesNotHaveFailsValidation() {
        final int absent = EalArgs.onlineCpus().length();
        final ProbeException e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(
                List.of("--no-huge", "-l", "0-" + absent), Map.of())));
        assertTrue(e.getMessage().contains(" for probe.source.dpdk.eal-args: expected -l to name cores this machine"
                + " has (online CPUs " + EalArgs.format(EalArgs.onlineCpus()) + "), not core " + absent), e.getMessage());
        PROVIDER.validate(TestConfigs.config(List.of("-l", "0"), Map.of()));
    }

    @Test
    void aMissingOrForeignCaptureFileFailsValidationNamingIt() throws IOException {
        ProbeException e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(
                TestConfigs.ealArgs("probe-test-settings", List.of("net_pcap0,rx_pcap=/nonexistent/a.pcap")), Map.of())));
        assertTrue(e.getMessage().contains("for probe.source.dpdk.eal-args: expected capture files net_pcap can read,"
                + " but --vdev net_pcap0 reads /nonexistent/a.pcap, which does not exist"), e.getMessage());
        final Path text = Files.writeString(dir.resolve("notes.pcap"), "not a capture");
        e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(
                TestConfigs.ealArgs("probe-test-settings", List.of("net_pcap0,rx_pcap=" + text)), Map.of())));
        assertTrue(e.getMessage().contains(text + ", which is not a pcap or pcapng file (magic 6e6f7420)"), e.getMessage());
    }

    @Test
    void moreQueuesThanAVdevHasFilesFailsValidation() {
        final String afs = SharedCaptures.entry("afs.pcap").path().toString();
        final String vrrp = SharedCaptures.entry("vrrp.pcap").path().toString();
        final List<String> eal = TestConfigs.ealArgs("probe-test-settings",
                List.of("net_pcap0,rx_pcap=" + afs + ",rx_pcap=" + vrrp));
        assertEquals(2, DpdkSettings.from(TestConfigs.config(eal, Map.of("port", "net_pcap0", "rx-queues", 2))).rxQueues());
        final ProbeException e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(eal,
                Map.of("port", "net_pcap0", "rx-queues", 3))));
        assertTrue(e.getMessage().startsWith("Invalid value 3 for probe.source.dpdk.rx-queues: expected at most 2, the"
                + " receive queues --vdev net_pcap0 offers (one per rx_pcap file)"), e.getMessage());
    }

    @Test
    void anEndlessReplayNeedsMbufsForItsCopyOfTheFile() throws IOException {
        final SharedCaptures.Entry afs = SharedCaptures.entry("afs.pcap");
        final List<String> eal = TestConfigs.ealArgs("probe-test-settings",
                List.of("net_pcap0,rx_pcap=" + afs.path() + ",infinite_rx=1"));
        // least 1024 descriptors + 2 threads x 384 = 1792, plus the file's 601 packets
        assertEquals(2393, DpdkSettings.from(TestConfigs.config(eal, Map.of("port", "net_pcap0", "mbufs", 2393))).mbufs());
        ProbeException e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(eal,
                Map.of("port", "net_pcap0", "mbufs", 2392))));
        assertTrue(e.getMessage().startsWith("Invalid value 2392 for probe.source.dpdk.mbufs: expected at least 2393 ="
                + " 1792 (see reference.conf) + 601, the packets of the files --vdev net_pcap0 replays with infinite_rx"),
                e.getMessage());
        final Path empty = SharedCaptures.entry("empty.pcapng").path();
        e = assertThrows(ProbeException.class, () -> PROVIDER.validate(TestConfigs.config(TestConfigs.ealArgs(
                "probe-test-settings", List.of("net_pcap0,rx_pcap=" + empty + ",infinite_rx=1")), Map.of("port", "net_pcap0"))));
        assertTrue(e.getMessage().contains("expected a capture file with packets for infinite_rx, but --vdev net_pcap0"
                + " replays " + empty + ", which holds none"), e.getMessage());
    }

    @Test
    void portIdsBeyondDpdksLimitAndNumbersOfOtherShapesFail() {
        for (final String port : List.of("32", "-1", "1.5", "1e3", "99999999999")) {
            final ProbeException e = assertThrows(ProbeException.class,
                    () -> PROVIDER.validate(TestConfigs.config(List.of(), Map.of("port", port))), port);
            assertTrue(e.getMessage().contains("for probe.source.dpdk.port: expected a port name such as net_pcap0 or"
                    + " 0000:3b:00.0, or a port id from 0 to 31"), e.getMessage());
        }
        for (final String port : List.of("0", "31", "net_pcap0", "0000:3b:00.0")) {
            assertEquals(port, DpdkSettings.from(TestConfigs.config(List.of(), Map.of("port", port))).port());
        }
    }
}
