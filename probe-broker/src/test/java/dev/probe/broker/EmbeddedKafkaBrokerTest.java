package dev.probe.broker;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded broker starts fast, takes records on an auto-created topic and goes away on close. */
class EmbeddedKafkaBrokerTest {

    @Test
    void startsTakesRecordsAndStopsListeningOnClose() throws Exception {
        final long start = System.nanoTime();
        final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                EmbeddedKafkaBroker.Options.defaults().withPartitions(3));
        final long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("embedded Kafka broker started in " + startMillis + " ms at " + broker.bootstrapServers());
        final String bootstrap = broker.bootstrapServers();
        assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
        try {
            try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(bootstrap)) {
                producer.send(new ProducerRecord<>("auto", "k".getBytes(StandardCharsets.UTF_8),
                        "v".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, KafkaTestSupport.consume(bootstrap, "auto", 1).size());
            broker.createTopic("made", 4);
            broker.createTopic("made", 4);   // exists already: no error
            assertEquals(4, KafkaTestSupport.partitions(bootstrap, "made"));
            // Topics created on first use get the broker's num.partitions.
            assertEquals(3, KafkaTestSupport.partitions(bootstrap, "auto"));
        } finally {
            broker.close();
        }
        broker.close();
        final int port = Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1));
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                s.getOutputStream().write(0);
            }
        });
        assertThrows(IllegalStateException.class, () -> broker.createTopic("late", 1));
    }
}
