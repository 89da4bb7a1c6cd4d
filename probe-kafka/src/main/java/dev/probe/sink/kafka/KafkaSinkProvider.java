package dev.probe.sink.kafka;

import com.typesafe.config.Config;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

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
        return workerName -> KafkaSink.open(settings, workerName);
    }
}
