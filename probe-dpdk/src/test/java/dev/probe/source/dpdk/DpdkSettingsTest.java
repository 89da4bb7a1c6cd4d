package dev.probe.source.dpdk;

import dev.probe.api.ProbeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings read from reference.conf and their validation; no DPDK needed. */
class DpdkSettingsTest {

    @Test
    void referenceConfHoldsADevelopmentDefault() {
        final DpdkSettings s = DpdkSettings.from(TestConfigs.config(List.of(), Map.of()).withFallback(
                com.typesafe.config.ConfigFactory.defaultReference()));
        final DpdkSettings defaults = DpdkSettings.from(com.typesafe.config.ConfigFactory.defaultReference());
        assertTrue(defaults.ealArgs().containsAll(List.of("--no-huge", "--no-pci", "--file-prefix")), defaults.ealArgs().toString());
        assertEquals(List.of(), s.ealArgs());
        assertEquals(1, defaults.rxQueues());
        assertEquals(1024, defaults.rxDescriptors());
        assertEquals(List.of(DpdkSettings.RssField.IP, DpdkSettings.RssField.TCP, DpdkSettings.RssField.UDP),
                defaults.rssFields());
        assertFalse(defaults.rssSymmetric());
        assertEquals(16383, defaults.mbufs());
        assertEquals(9216, defaults.dataRoom());
        assertEquals(Duration.ofSeconds(5), defaults.linkWait());
        assertEquals(DpdkSettings.Timestamps.CLOCK, defaults.timestamps());
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
}
