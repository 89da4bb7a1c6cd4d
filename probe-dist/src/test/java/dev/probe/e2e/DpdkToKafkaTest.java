package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.source.dpdk.Dpdk;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.NativeRequirement;
import dev.probe.testkit.SharedCaptures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every capture in ../shared/pcaps, replayed by a DPDK {@code net_pcap} device and captured through the
 * FFM-bound receive path, reaches a real broker: the manifest's packet count, every frame up to the
 * 9,216-byte data room byte-exact, larger ones cut at the data room with their length in the
 * wire-length header, keys taken from the clock at receive time.
 */
class DpdkToKafkaTest {
    private static final int DATA_ROOM = 9216;
    private static List<SharedCaptures.Entry> captures;
    private static String ealArgs;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        NativeRequirement.require(Dpdk.isAvailable(), "DPDK 22.11 is not available: " + Dpdk.unavailabilityCause());
        captures = SharedCaptures.require();
        final List<String> args = new ArrayList<>(List.of("--no-huge", "-m", "1024", "--no-pci", "--no-telemetry",
                "--file-prefix", "probe-runtime-test", "--log-level", "*:error"));
        for (int i = 0; i < captures.size(); i++) {
            args.add("--vdev");
            args.add("net_pcap" + i + ",rx_pcap=" + captures.get(i).path());
        }
        // A port of its own for the summary test: a closed vdev port cannot be opened again.
        args.add("--vdev");
        args.add("net_pcap" + captures.size() + ",rx_pcap=" + SharedCaptures.entry("vrrp.pcap").path());
        // And one that replays forever, to stop under load.
        args.add("--vdev");
        args.add("net_pcap" + (captures.size() + 1) + ",rx_pcap=" + SharedCaptures.entry("afs.pcap").path() + ",infinite_rx=1");
        ealArgs = args.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(",", "[", "]"));
        broker = Probe.broker();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    static Stream<String> files() {
        return SharedCaptures.require().stream().map(SharedCaptures.Entry::file);
    }

    private static List<String> settings(final int port, final String topic) {
        final List<String> settings = new ArrayList<>(Probe.kafka(broker, topic));
        settings.addAll(List.of("probe.source.type=dpdk", "probe.source.dpdk.eal-args=" + ealArgs,
                "probe.source.dpdk.port=net_pcap" + port, "probe.source.dpdk.mbufs=8191", "probe.transmit.ring-size=4096",
                "probe.source.dpdk.link-wait=1s"));
        return settings;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void aCaptureReplayedByNetPcapReachesKafkaByteExact(final String file) throws Exception {
        final int port = captures.stream().map(SharedCaptures.Entry::file).toList().indexOf(file);
        final SharedCaptures.Entry entry = captures.get(port);
        final String topic = "dpdk-" + port;
        broker.createTopic(topic, 1);
        final List<String> settings = settings(port, topic);
        if (entry.packets() == 0) {
            settings.add("probe.stop.duration=300ms");
        } else {
            settings.add("probe.stop.max-packets=" + entry.packets());
        }
        final long before = System.currentTimeMillis() * 1000;
        final ProbeRun.Result result = Probe.run(settings, null);
        final long after = System.currentTimeMillis() * 1000;
        final Snapshot s = result.snapshot();
        assertEquals(entry.packets(), s.received(), "packets captured");
        assertEquals(entry.packets(), s.delivered(), "delivered; dropped " + s.dropped());
        assertEquals(0, s.inFlight());
        if (entry.packets() == 0) {
            return;
        }

        final List<CaptureFile.Record> expected = CaptureFile.read(entry.path());
        final List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestSupport.consume(broker.bootstrapServers(), topic, entry.packets());
        assertEquals(entry.packets(), records.size());
        long previousKey = Long.MIN_VALUE;
        for (int i = 0; i < records.size(); i++) {
            final ConsumerRecord<byte[], byte[]> record = records.get(i);
            final byte[] frame = expected.get(i).data();
            final long key = Probe.keyMicros(record);
            assertTrue(key >= before && key <= after, "key of packet " + i + " is the receive time");
            assertTrue(key >= previousKey, "keys never go back in time");
            previousKey = key;
            if (frame.length <= DATA_ROOM) {
                assertArrayEquals(frame, record.value(), "packet " + i + " byte-exact");
            } else {
                assertArrayEquals(Arrays.copyOf(frame, DATA_ROOM), record.value(), "packet " + i + " up to the data room");
                assertTrue(Probe.wireLength(record) > DATA_ROOM, "packet " + i + " carries its larger length");
            }
        }
        final long oversize = expected.stream().filter(r -> r.data().length > DATA_ROOM).count();
        assertEquals(oversize, s.sourceDetails().getOrDefault("oversize", 0L), "frames beyond the data room are counted");
    }

    @Test
    void perQueueAndPortCountersAppearInTheSummary() throws Exception {
        final int port = captures.size();
        final int packets = SharedCaptures.entry("vrrp.pcap").packets();
        final String topic = "dpdk-summary";
        broker.createTopic(topic, 1);
        final List<String> settings = settings(port, topic);
        settings.add("probe.stop.max-packets=" + packets);
        final java.nio.file.Path summary = java.nio.file.Files.createTempFile("probe-dpdk-summary", ".json");
        try {
            Probe.run(settings, summary);
            final String json = java.nio.file.Files.readString(summary);
            assertEquals(packets, Probe.json(json, "ipackets"));
            assertEquals(packets, Probe.json(json, "packets"));
            assertEquals(0, Probe.json(json, "nic-missed"));
            assertEquals(0, Probe.json(json, "in_flight"));
        } finally {
            java.nio.file.Files.deleteIfExists(summary);
        }
    }

    @Test
    void stoppingUnderLoadReleasesEveryMbufAndAccountsForEveryPacket() throws Exception {
        final String topic = "dpdk-load";
        broker.createTopic(topic, 2);
        final List<String> settings = settings(captures.size() + 1, topic);
        settings.addAll(List.of("probe.stop.duration=2s", "probe.transmit.workers-per-ring=2", "probe.shutdown.timeout=1s"));
        final ProbeRun.Result result = Probe.run(settings, null);
        final Snapshot s = result.snapshot();
        assertEquals(ProbeRun.Outcome.DURATION, result.outcome());
        assertTrue(s.delivered() > 0, "packets were delivered");
        assertEquals(0, s.inFlight(), "nothing in flight after the stop");
        assertEquals(s.sourceDetails().get("ipackets"), s.received() + s.sourceDrops().get("unread"),
                "every packet the port received reached a worker, or was still in the queue's stash at the stop");
        assertEquals(s.captured(), s.delivered() + s.droppedTotal(), "delivered or dropped with a reason");
        assertEquals(0L, s.sourceDetails().get("mbufs-unreturned"), "every mbuf back in the pool");
    }
}
