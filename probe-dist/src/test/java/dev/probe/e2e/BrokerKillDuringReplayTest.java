package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaBrokerProcess;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.broker.TopicOffsets;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.stats.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker killed with SIGKILL in the middle of a file replay and started again on the same port and
 * data: the replay waits for it, and nothing is lost. Every captured frame is in the topic with its
 * key and value, the probe counts every packet delivered and none dropped, and the accounting balances.
 * With {@code delivery = durable} each frame is in the topic exactly once; with {@code fast} a batch
 * whose answer the kill lost is written again, and the duplicates are reported.
 */
class BrokerKillDuringReplayTest {
    private static final int PACKETS = 600_000;
    @TempDir
    static Path dir;
    private static KafkaBrokerProcess broker;
    private static NumberedCapture capture;

    @BeforeAll
    static void start() throws Exception {
        final long startMicros = (System.currentTimeMillis() - 60_000) * 1_000;
        capture = NumberedCapture.write(dir.resolve("numbered.pcap"), PACKETS, startMicros);
        broker = KafkaBrokerProcess.start(EmbeddedKafkaBroker.Options.defaults().withAutoCreateTopics(false));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest(name = "delivery = {0}")
    @ValueSource(strings = {"fast", "durable"})
    void aReplayLosesNothingThroughABrokerKilledAndRestarted(final String delivery) throws Exception {
        final String topic = "replay-" + delivery;
        broker.createTopic(topic, 2);
        final List<String> settings = List.of("probe.source.type=pcap", "probe.source.pcap.file=\"" + capture.file() + "\"",
                "probe.sink.type=kafka", "probe.sink.kafka.topic=" + topic, "probe.sink.kafka.delivery=" + delivery,
                "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s");
        final long atKill;
        final long killNanos;
        final long readyNanos;
        final long recoveredNanos;
        final ProbeRun.Result result;
        try (TopicOffsets offsets = new TopicOffsets(broker.bootstrapServers(), topic);
             BackgroundRun run = BackgroundRun.start(settings, null)) {
            // Kill once a twentieth of the file is in the topic, well before the replay ends.
            long inTopic;
            while ((inTopic = offsets.records(Duration.ofSeconds(5))) < PACKETS / 20 && run.running()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            killNanos = System.nanoTime();
            broker.kill();
            assertTrue(run.running(), "the replay was still running when the broker was killed");
            assertTrue(inTopic < PACKETS / 2, "killed in the middle of the replay, at " + inTopic);
            atKill = inTopic;

            broker.restart();
            readyNanos = System.nanoTime();
            while (offsets.records(Duration.ofSeconds(5)) <= atKill && run.running()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            recoveredNanos = System.nanoTime();
            result = run.await(Duration.ofMinutes(3));
        }

        final Snapshot s = result.snapshot();
        final int[] copies = new int[PACKETS];
        final AtomicLong foreign = new AtomicLong();
        final long records = KafkaTestSupport.forEachRecord(broker.bootstrapServers(), topic, r -> {
            final int n = capture.frameOf(ByteBuffer.wrap(r.key()).getLong(), r.value());
            if (n < 0) {
                foreign.incrementAndGet();
            } else {
                copies[n]++;
            }
        });
        int missing = 0;
        long duplicates = 0;
        for (final int c : copies) {
            missing += c == 0 ? 1 : 0;
            duplicates += Math.max(0, c - 1);
        }
        System.out.printf("kill -9 during replay, delivery = %s: captured %d, delivered %d, dropped %d %s, records in topic %d,"
                        + " duplicates %d, missing %d; killed with %d in the topic; broker ready %d ms after the kill,"
                        + " delivery again %d ms after the kill (%d ms after the broker was ready)%n",
                delivery, s.captured(), s.delivered(), s.droppedTotal(), nonZero(s), records, duplicates, missing, atKill,
                TimeUnit.NANOSECONDS.toMillis(readyNanos - killNanos), TimeUnit.NANOSECONDS.toMillis(recoveredNanos - killNanos),
                TimeUnit.NANOSECONDS.toMillis(recoveredNanos - readyNanos));

        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome(), String.valueOf(result.error()));
        assertEquals(0, result.exitCode());
        assertEquals(PACKETS, s.captured());
        assertEquals(PACKETS, s.delivered(), "delivered; dropped " + nonZero(s));
        assertEquals(0, s.droppedTotal(), nonZero(s).toString());
        assertEquals(0, s.inFlight());
        assertTrue(s.balances());
        assertEquals(0, foreign.get(), "records that are no captured frame");
        assertEquals(0, missing, "captured frames missing from the topic");
        if (delivery.equals("durable")) {
            assertEquals(0, duplicates, "duplicates under durable delivery");
            assertEquals(PACKETS, records);
        } else {
            assertEquals(PACKETS + duplicates, records);
        }
    }

    private static java.util.Map<String, Long> nonZero(final Snapshot s) {
        final java.util.Map<String, Long> dropped = s.dropped();
        dropped.values().removeIf(v -> v == 0);
        return dropped;
    }
}
