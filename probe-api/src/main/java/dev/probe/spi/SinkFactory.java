package dev.probe.spi;

import java.time.Duration;
import java.util.List;

/**
 * Creates sinks from settings that were validated once; returned by {@link SinkProvider#configure}.
 */
public interface SinkFactory {

    /**
     * Creates and connects the sink of one transmit worker. Called on the main thread at start-up,
     * before capture starts, so that capture begins only when every sink is ready.
     *
     * @throws dev.probe.api.ProbeException one line naming the setting at fault when the sink cannot be
     *         created or cannot reach its destination
     */
    Sink create(SinkContext context);

    /**
     * Where packets go, for the start line {@code probe: sending to <description>}, such as
     * {@code Kafka at kafka1:9092, topic pcap} or {@code pcap files in /var/lib/probe}.
     */
    String description();

    /**
     * The longest this sink keeps a packet in flight before it counts it as delivered or failed (for
     * Kafka, the producer's {@code delivery.timeout.ms}). At the end of a finite input the probe waits
     * for every packet to be delivered; when nothing at all moves for this long, it stops waiting after
     * {@code probe.shutdown.timeout} more and counts what is left as dropped. Two minutes by default.
     */
    default Duration deliveryTimeout() {
        return Duration.ofMinutes(2);
    }

    /**
     * Reaches the destination without sending anything and describes what it found, one line each
     * (for a Kafka cluster: its brokers, the topic's partitions, retention and timestamp type), for
     * {@code probe check --connect}. Called on the main thread. By default says there is nothing to check.
     *
     * @throws dev.probe.api.ProbeException one line naming the setting at fault when the destination
     *         cannot be reached or would not keep what the probe sends
     */
    default List<String> checkDestination() {
        return List.of("this sink has no destination to check");
    }
}
