package dev.probe.bench.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;

import java.io.IOException;

/**
 * A Kafka broker in a process of its own, for {@link KafkaBench}: starts the project's embedded KRaft
 * broker (a real {@code KafkaRaftServer}, 4 partitions per topic, topics created only on request),
 * prints {@code BOOTSTRAP host:port} once it takes clients, and runs until its standard input closes
 * (the parent ended or closed it), then stops and deletes its data. Its CPU time is then the broker's
 * alone, and the clients' CPU times are theirs alone.
 */
public final class BrokerProcess {
    private BrokerProcess() {
    }

    /** No arguments. */
    public static void main(final String[] args) throws IOException {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                EmbeddedKafkaBroker.Options.defaults().withPartitions(4).withAutoCreateTopics(false))) {
            System.out.println("BOOTSTRAP " + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our standard input
            }
        }
        System.exit(0);
    }
}
