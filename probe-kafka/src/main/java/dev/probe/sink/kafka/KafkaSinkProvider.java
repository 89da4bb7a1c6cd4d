package dev.probe.sink.kafka;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kafka} sink: each frame becomes one Kafka record, one producer per transmit worker.
 * Found through {@link java.util.ServiceLoader}; settings under {@code probe.sink.kafka} (see this
 * module's {@code reference.conf}).
 */
public final class KafkaSinkProvider implements SinkProvider {

    /** The value of {@code probe.sink.type} that selects this sink. */
    public static final String NAME = "kafka";
    private static final System.Logger LOG = System.getLogger(KafkaSinkProvider.class.getName());

    /** Needed by {@link java.util.ServiceLoader}. */
    public KafkaSinkProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Reads and validates {@code probe.sink.kafka} once; the factory opens a {@link KafkaSink} per
     * worker after the checks {@link Factory#create} describes. Main thread.
     */
    @Override
    public SinkFactory configure(final Config config) {
        return new Factory(KafkaSinkSettings.from(config));
    }

    /** The producer block is passed to the client, checked against its own definitions. */
    @Override
    public Set<String> freeFormPaths() {
        return Set.of(KafkaSinkSettings.PRODUCER_PATH);
    }

    /** Opens the sinks of one run; reads the topic's facts once, for every worker. Main thread. */
    private static final class Factory implements SinkFactory {
        private final KafkaSinkSettings settings;
        private TopicFacts facts;

        Factory(final KafkaSinkSettings settings) {
            this.settings = settings;
        }

        /**
         * Reads the cluster and topic through the Admin client (once per run), refuses a capture whose
         * records the topic would refuse or delete at once ({@link TimestampGuard}), caps the producer's
         * {@code batch.size} at the topic's {@code max.message.bytes}, and opens the worker's sink. The
         * Kafka client's own log lines are dropped meanwhile: a failure is this one line.
         */
        @Override
        public Sink create(final SinkContext context) {
            final ClientLogs logs = ClientLogs.install(settings.clientLogInterval());
            try (ClientLogs.Quiet _ = logs.quiet()) {
                if (facts == null) {
                    final TopicFacts read = TopicFacts.read(settings, "probe-" + context.workerName() + "-check");
                    if (read.exists()) {
                        admit(read, context);
                    }
                    facts = read;
                }
                if (facts.exists()) {
                    return KafkaSink.open(settings, facts, context);
                }
                // A broker that creates topics on first use creates it now, for the producer's metadata request.
                final KafkaSink sink = KafkaSink.open(settings, facts, context);
                final TopicFacts created;
                try {
                    created = TopicFacts.read(settings, "probe-" + context.workerName() + "-check");
                    admit(created, context);
                } catch (RuntimeException e) {
                    sink.close();
                    throw e;
                }
                facts = created;
                if (!created.configsKnown()) {
                    return sink;
                }
                // Opened again with what the topic now tells: its limits and, when needed, a smaller batch.size.
                sink.close();
                return KafkaSink.open(settings, facts, context);
            }
        }

        /** Runs the guards and warns about a capped batch size; throws when the capture would be lost. */
        private void admit(final TopicFacts read, final SinkContext context) {
            if (!read.configsKnown()) {
                LOG.log(System.Logger.Level.WARNING, "Kafka sink: " + read.configsProblem()
                        + ": the retention and time-stamp checks are skipped, and batch.size is not capped"
                        + " at the topic's max.message.bytes");
                return;
            }
            final String refusal = TimestampGuard.refusal(settings, read,
                    TimeUnit.NANOSECONDS.toMillis(context.captureStartNanos()), System.currentTimeMillis());
            if (refusal != null) {
                throw new ProbeException(refusal);
            }
            if (settings.batchSize() > read.maxMessageBytes()) {
                LOG.log(System.Logger.Level.WARNING, batchSizeNote(read));
            }
        }

        private String batchSizeNote(final TopicFacts read) {
            return "Kafka sink: " + KafkaSinkSettings.PRODUCER_PATH + ".batch.size " + settings.batchSize()
                    + " is above topic " + settings.topic() + "'s max.message.bytes " + read.maxMessageBytes()
                    + ": batches are capped at " + read.maxMessageBytes() + " bytes";
        }

        @Override
        public String description() {
            return "Kafka at " + settings.bootstrapServers() + ", topic " + settings.topic() + " (timeout "
                    + KafkaSink.humanDuration(settings.startupTimeout()) + ")";
        }

        @Override
        public Duration deliveryTimeout() {
            return settings.deliveryTimeout();
        }

        /**
         * The brokers, the topic's partitions, retention, time-stamp type and {@code max.message.bytes},
         * and the verdict of the guards for a capture starting now.
         */
        @Override
        public List<String> checkDestination() {
            final ClientLogs logs = ClientLogs.install(settings.clientLogInterval());
            try (ClientLogs.Quiet _ = logs.quiet()) {
                final TopicFacts read = TopicFacts.read(settings, "probe-check");
                final List<String> lines = new ArrayList<>(read.describe(settings.topic()));
                if (read.configsKnown() && settings.batchSize() > read.maxMessageBytes()) {
                    lines.add(batchSizeNote(read).substring("Kafka sink: ".length()));
                }
                lines.add(TimestampGuard.verdict(settings, read, System.currentTimeMillis()));
                return lines;
            }
        }
    }
}
