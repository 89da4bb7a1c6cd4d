package dev.probe.sink.kafka;

import com.typesafe.config.Config;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code kafka} sink: each frame becomes one Kafka record, one producer per transmit worker.
 * Found through {@link java.util.ServiceLoader}; settings under {@code probe.sink.kafka} (see this
 * module's {@code reference.conf}).
 */
public final class KafkaSinkProvider implements SinkProvider {

    /** The value of {@code probe.sink.type} that selects this sink. */
    public static final String NAME = "kafka";

    /** Needed by {@link java.util.ServiceLoader}. */
    public KafkaSinkProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Reads and validates {@code probe.sink.kafka} once; the factory opens a {@link KafkaSink} per
     * worker, each waiting for the cluster as {@link KafkaSink#open} describes. Main thread.
     */
    @Override
    public SinkFactory configure(final Config config) {
        final KafkaSinkSettings settings = KafkaSinkSettings.from(config);
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return KafkaSink.open(settings, context.workerName());
            }

            @Override
            public String description() {
                return "Kafka at " + settings.bootstrapServers() + ", topic " + settings.topic()
                        + " (timeout " + KafkaSink.humanDuration(settings.startupTimeout()) + ")";
            }

            @Override
            public Duration deliveryTimeout() {
                return settings.deliveryTimeout();
            }
        };
    }

    /** The producer block is passed to the client, checked against its own definitions. */
    @Override
    public Set<String> freeFormPaths() {
        return Set.of(KafkaSinkSettings.PRODUCER_PATH);
    }
}
