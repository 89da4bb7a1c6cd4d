package dev.probe.broker;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker process survives what fault tests do to it: records written before a SIGKILL are there
 * after a restart on the same port and data folder, and a paused broker answers nothing until resumed.
 */
class KafkaBrokerProcessTest {

    @Test
    void keepsItsRecordsThroughKillAndRestartAndAnswersNothingWhilePaused() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(EmbeddedKafkaBroker.Options.defaults()
                .withAutoCreateTopics(false))) {
            broker.createTopic("kept", 2);
            final String bootstrap = broker.bootstrapServers();
            send(bootstrap, "kept", 10);
            assertEquals(10, KafkaTestSupport.recordCount(bootstrap, "kept"));

            final long before = broker.pid();
            broker.kill();
            assertFalse(broker.isAlive());
            final long start = System.nanoTime();
            broker.restart();
            System.out.println("broker process restarted after SIGKILL in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
            assertTrue(broker.pid() != before);
            assertEquals(bootstrap, broker.bootstrapServers());
            assertEquals(10, KafkaTestSupport.recordCount(bootstrap, "kept"), "records written before the kill");
            send(bootstrap, "kept", 5);

            try (TopicOffsets offsets = new TopicOffsets(bootstrap, "kept")) {
                assertEquals(15, offsets.records(Duration.ofSeconds(30)));
                broker.pause();
                assertEquals(-1, offsets.records(Duration.ofMillis(500)), "a paused broker answers nothing");
                broker.resume();
                assertEquals(15, offsets.records(Duration.ofSeconds(30)));
            }
        }
    }

    private static void send(final String bootstrap, final String topic, final int n) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(bootstrap)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
