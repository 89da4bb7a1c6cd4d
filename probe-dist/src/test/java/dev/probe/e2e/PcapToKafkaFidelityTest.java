package dev.probe.e2e;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.testkit.CaptureFile;
import dev.probe.testkit.SharedCaptures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every capture in ../shared/pcaps, replayed from its file through the probe (one queue, one worker)
 * into a one-partition topic of a real broker, comes back with the manifest's packet count and
 * frames_sha256, keys equal to each record's file timestamp in microseconds, and the wire length of
 * truncated records in their header. With several workers and partitions the same packets arrive as a
 * multiset.
 */
class PcapToKafkaFidelityTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        SharedCaptures.require();
        broker = Probe.broker();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static Stream<SharedCaptures.Entry> captures() {
        return SharedCaptures.require().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void aCaptureReachesKafkaByteExactWithItsFileTimestampsAsKeys(final SharedCaptures.Entry entry) throws Exception {
        final String topic = "fidelity-" + entry.file().replaceAll("[^A-Za-z0-9]", "-");
        broker.createTopic(topic, 1);
        final List<String> settings = new ArrayList<>(Probe.kafka(broker, topic));
        settings.add("probe.source.type=pcap");
        settings.add("probe.source.pcap.file=\"" + entry.path() + "\"");
        final ProbeRun.Result result = Probe.run(settings, null);
        final Snapshot s = result.snapshot();

        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome(), String.valueOf(result.error()));
        assertEquals(entry.packets(), s.captured(), "captured");
        assertEquals(entry.packets(), s.delivered(), "delivered, dropped " + s.dropped());
        assertEquals(0, s.inFlight());

        final List<CaptureFile.Record> expected = CaptureFile.read(entry.path());
        final List<ConsumerRecord<byte[], byte[]>> records = entry.packets() == 0 ? List.of()
                : KafkaTestSupport.consume(broker.bootstrapServers(), topic, entry.packets());
        assertEquals(entry.packets(), records.size(), "records in the topic");
        final List<byte[]> values = new ArrayList<>();
        int truncated = 0;
        for (int i = 0; i < records.size(); i++) {
            final ConsumerRecord<byte[], byte[]> record = records.get(i);
            final CaptureFile.Record file = expected.get(i);
            values.add(record.value());
            assertEquals(file.timestampMicros(), Probe.keyMicros(record), "key of packet " + i);
            assertEquals(Math.floorDiv(file.timestampMicros(), 1000), record.timestamp(), "timestamp of packet " + i);
            if (file.truncated()) {
                truncated++;
                assertEquals(file.wireLength(), Probe.wireLength(record), "wire-length header of packet " + i);
            } else {
                assertEquals(-1, Probe.wireLength(record), "no header on a whole packet " + i);
            }
        }
        assertEquals(entry.framesSha256(), CaptureFile.framesSha256(values), "frames_sha256");
        assertEquals(entry.truncated(), truncated, "truncated records");
    }

    @Test
    void severalWorkersAndPartitionsDeliverTheSamePacketsAsAMultiset() throws Exception {
        final SharedCaptures.Entry entry = SharedCaptures.entry("afs.pcap");
        final String topic = "fidelity-multiset";
        broker.createTopic(topic, 4);
        final List<String> settings = new ArrayList<>(Probe.kafka(broker, topic));
        settings.addAll(List.of("probe.source.type=pcap", "probe.source.pcap.file=\"" + entry.path() + "\"",
                "probe.transmit.workers-per-ring=3", "probe.transmit.burst-size=16", "probe.receive.burst-size=8"));
        final ProbeRun.Result result = Probe.run(settings, null);
        assertEquals(entry.packets(), result.snapshot().delivered());
        result.snapshot().queues().get(0).workers().forEach(w ->
                assertEquals(w.sent(), w.delivered(), w.name() + " delivered all it sent"));

        final List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestSupport.consume(broker.bootstrapServers(), topic, entry.packets());
        final List<String> expected = new ArrayList<>();
        for (final CaptureFile.Record r : CaptureFile.read(entry.path())) {
            expected.add(r.timestampMicros() + "/" + Probe.sha256(r.data()) + "/" + (r.truncated() ? r.wireLength() : -1));
        }
        expected.sort(null);
        assertEquals(expected, Probe.multiset(records));
    }
}
