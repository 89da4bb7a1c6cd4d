package dev.probe.sink.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.spi.SinkProvider;
import dev.probe.testkit.Destination;
import dev.probe.testkit.Received;
import dev.probe.testkit.SharedCaptures;
import dev.probe.testkit.SinkContractTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kafka sink keeps the sink contract against a real KRaft broker: a topic of its own per test, a
 * second broker that is stopped under the sink for the failing destination.
 */
class KafkaSinkContractTest extends SinkContractTest {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        // Any record time: the shared captures hold times from 1970 to 2038. No time-based retention: the
        // broker's first retention check would otherwise delete old records half a minute after it started.
        broker = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false)
                .withOverrides(Map.of("log.message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE),
                        "log.retention.ms", "-1")));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected SinkProvider provider() {
        return new KafkaSinkProvider();
    }

    /** A new two-partition topic; at most 100 packets in flight, so that available() falls to 0 and recovers. */
    @Override
    protected Destination destination(final Path folder) {
        final String topic = "contract-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 2);
        return Destination.of(settings(broker, topic, Map.of("probe.sink.kafka.max-in-flight", 100)),
                atLeast -> read(broker, topic, atLeast));
    }

    /**
     * A broker of its own, stopped once the sink is connected; the producer gives a record up after 1.5 s,
     * so that the failures are counted within the flush.
     */
    @Override
    protected Destination failingDestination(final Path folder) {
        final EmbeddedKafkaBroker doomed = EmbeddedKafkaBroker.start(EmbeddedKafkaBroker.Options.defaults()
                .withAutoCreateTopics(false));
        doomed.createTopic("doomed", 2);
        return Destination.of(settings(doomed, "doomed", Map.of(
                        "probe.sink.kafka.max-in-flight", 1_000,
                        "probe.sink.kafka.producer.request.timeout.ms", 1_000,
                        "probe.sink.kafka.producer.delivery.timeout.ms", 1_500)),
                        atLeast -> read(doomed, "doomed", atLeast))
                .failingOnceCreated(doomed::close)
                .closedBy(doomed);
    }

    /** linger.ms is 5 ms; a round trip to a local broker on a busy machine is well within two seconds more. */
    @Override
    protected Duration deliveryBound() {
        return Duration.ofSeconds(2);
    }

    /** The key holds microseconds. */
    @Override
    protected Duration timestampResolution() {
        return Duration.ofNanos(1_000);
    }

    /**
     * The kit's capture, a pcapng capture with 11 KB frames, and one whose every record is truncated (and
     * whose fuzzed times run from 1970 to 2038).
     */
    @Override
    protected List<Path> captures(final Path folder) {
        final List<Path> captures = new ArrayList<>(super.captures(folder));
        captures.add(SharedCaptures.entry("of13_ericsson.pcapng").path());
        captures.add(SharedCaptures.entry("babel_update_oobr.pcap").path());
        return captures;
    }

    private static Map<String, Object> settings(final EmbeddedKafkaBroker to, final String topic, final Map<String, Object> more) {
        final Map<String, Object> settings = new HashMap<>(more);
        settings.put("probe.sink.kafka.topic", topic);
        settings.put("probe.sink.kafka.producer.bootstrap.servers", to.bootstrapServers());
        settings.put("probe.sink.kafka.startup-timeout", "20s");
        return settings;
    }

    /** Every record of {@code topic}: key microseconds, the wire-length header or the value's length, the value. */
    private static List<Received> read(final EmbeddedKafkaBroker from, final String topic, final int atLeast) {
        final List<Received> received = new ArrayList<>();
        for (final ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.consume(from.bootstrapServers(), topic, atLeast)) {
            final Header wire = r.headers().lastHeader(PacketRecordFormat.WIRE_LENGTH_HEADER);
            received.add(new Received(ByteBuffer.wrap(r.key()).getLong() * 1_000L,
                    wire == null ? r.value().length : ByteBuffer.wrap(wire.value()).getInt(), r.value()));
        }
        return received;
    }
}
