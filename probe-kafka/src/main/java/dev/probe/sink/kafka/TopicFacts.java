package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the sink learns about its cluster and topic at start-up through the Admin client: the brokers,
 * the topic's partitions and the topic settings that decide whether records are kept
 * ({@code retention.ms}, {@code cleanup.policy}, {@code message.timestamp.*}, {@code max.message.bytes}).
 * Immutable.
 *
 * @param brokers {@code host:port} of each broker the cluster reported
 * @param exists whether the topic exists
 * @param partitions how many partitions it has (0 when it does not exist)
 * @param configsKnown whether its settings could be read; false when this client may not describe them
 * @param configsProblem why they could not be read, or null
 * @param retentionMs {@code retention.ms}: records older than this are deleted; -1 keeps them forever
 * @param deletesByTime whether {@code cleanup.policy} includes {@code delete}, so that retention applies
 * @param logAppendTime whether {@code message.timestamp.type} is {@code LogAppendTime}: the broker then
 *        stamps records itself and ignores the producer's time stamps
 * @param beforeMaxMs {@code message.timestamp.before.max.ms}: how far in the past a CreateTime stamp may be
 * @param afterMaxMs {@code message.timestamp.after.max.ms}: how far in the future a CreateTime stamp may be
 * @param maxMessageBytes {@code max.message.bytes}: the largest record batch the topic accepts
 */
record TopicFacts(List<String> brokers, boolean exists, int partitions, boolean configsKnown, String configsProblem,
                  long retentionMs, boolean deletesByTime, boolean logAppendTime, long beforeMaxMs, long afterMaxMs,
                  int maxMessageBytes) {

    /** Copies the list. */
    TopicFacts {
        brokers = List.copyOf(brokers);
    }

    /**
     * Reads the facts with an Admin client built from the producer block, within {@code startup-timeout}.
     * Main thread.
     *
     * @throws ProbeException naming the setting at fault when the cluster cannot be reached, refuses
     *         the credentials, or does not let this client see the topic
     */
    static TopicFacts read(final KafkaSinkSettings settings, final String clientId) {
        final long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        final Admin admin;
        try {
            admin = Admin.create(settings.adminProperties(clientId));
        } catch (KafkaException e) {
            throw ClientErrors.startupFailure(e, settings);
        }
        try {
            final List<String> brokers = admin.describeCluster().nodes().get(left(deadline), TimeUnit.NANOSECONDS)
                    .stream().map(TopicFacts::address).toList();
            final TopicDescription topic;
            try {
                topic = admin.describeTopics(List.of(settings.topic())).allTopicNames()
                        .get(left(deadline), TimeUnit.NANOSECONDS).get(settings.topic());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return new TopicFacts(brokers, false, 0, false, "the topic does not exist", -1, false, false,
                            Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);
                }
                throw e;
            }
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, settings.topic());
            final Config config;
            try {
                config = admin.describeConfigs(List.of(resource)).all().get(left(deadline), TimeUnit.NANOSECONDS)
                        .get(resource);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    return new TopicFacts(brokers, true, topic.partitions().size(), false,
                            "this client may not describe the topic's configuration ("
                                    + ClientErrors.message(e.getCause()) + ")",
                            -1, false, false, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);
                }
                throw e;
            }
            return new TopicFacts(brokers, true, topic.partitions().size(), true, null,
                    number(config, TopicConfig.RETENTION_MS_CONFIG),
                    text(config, TopicConfig.CLEANUP_POLICY_CONFIG).contains(TopicConfig.CLEANUP_POLICY_DELETE),
                    text(config, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).equals("LogAppendTime"),
                    number(config, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
                    number(config, TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
                    (int) Math.min(Integer.MAX_VALUE, number(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG)));
        } catch (ExecutionException e) {
            throw ClientErrors.startupFailure(e.getCause(), settings);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ProbeException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                    + KafkaSink.humanDuration(settings.startupTimeout()) + " (" + KafkaSinkSettings.BOOTSTRAP_PATH + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("Interrupted while reaching Kafka at " + settings.bootstrapServers());
        } catch (KafkaException e) {
            throw ClientErrors.startupFailure(e, settings);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private static long left(final long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String address(final Node node) {
        return node.host() + ":" + node.port();
    }

    private static String text(final Config config, final String name) {
        final ConfigEntry entry = config.get(name);
        return entry == null || entry.value() == null ? "" : entry.value().strip();
    }

    private static long number(final Config config, final String name) {
        final String value = text(config, name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ProbeException("The topic's " + name + " is not a number: " + value);
        }
    }

    /**
     * One line per fact, for {@code probe check --connect}:
     * {@code brokers: 1 (127.0.0.1:9092)}, then the topic's partitions and settings.
     */
    List<String> describe(final String topic) {
        final String brokerLine = "brokers: " + brokers.size() + " (" + String.join(", ", brokers) + ")";
        if (!exists) {
            return List.of(brokerLine, "topic " + topic + ": does not exist (a run can write to it only if the"
                    + " brokers create topics on first use)");
        }
        if (!configsKnown) {
            return List.of(brokerLine, "topic " + topic + ": " + partitions + " partition(s); " + configsProblem);
        }
        return List.of(brokerLine,
                "topic " + topic + ": " + partitions + " partition(s), retention.ms " + retentionMs + " ("
                        + (retentionMs < 0 || !deletesByTime ? "kept forever" : "deleted after " + human(retentionMs)) + ")"
                        + ", message.timestamp.type " + (logAppendTime ? "LogAppendTime" : "CreateTime")
                        + (logAppendTime ? "" : " (before.max.ms " + limit(beforeMaxMs) + ", after.max.ms " + limit(afterMaxMs) + ")")
                        + ", max.message.bytes " + maxMessageBytes);
    }

    private static String limit(final long ms) {
        return ms == Long.MAX_VALUE ? "unlimited" : ms + " = " + human(ms);
    }

    /** {@code 7d}, {@code 1h}, {@code 90s}, {@code 250ms}: the largest whole unit. */
    static String human(final long ms) {
        final Map<Long, String> units = new java.util.LinkedHashMap<>();
        units.put(TimeUnit.DAYS.toMillis(1), "d");
        units.put(TimeUnit.HOURS.toMillis(1), "h");
        units.put(TimeUnit.MINUTES.toMillis(1), "min");
        units.put(TimeUnit.SECONDS.toMillis(1), "s");
        for (final Map.Entry<Long, String> u : units.entrySet()) {
            if (ms >= u.getKey() && ms % u.getKey() == 0) {
                return ms / u.getKey() + u.getValue();
            }
        }
        if (ms >= TimeUnit.DAYS.toMillis(1)) {
            return String.format(Locale.ROOT, "%.1fd", ms / (double) TimeUnit.DAYS.toMillis(1));
        }
        return ms + "ms";
    }
}
