package dev.probe.sink.kafka;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The validated settings of {@code probe.sink.kafka}, read once by {@link #from(Config)} on the main
 * thread at start-up and immutable after that.
 *
 * @param topic the topic every frame is written to
 * @param maxInFlight packets per sink handed to the client and not yet acknowledged or failed
 * @param maxBlock the longest one send may block in the client
 * @param startupTimeout how long creating a sink waits for the cluster and the topic
 * @param bufferHeadroom bytes of the client's buffer that must be free for the sink to take more
 *        packets; 0 turns the check off. Always below the producer's {@code buffer.memory}
 * @param delivery what the producer promises about each record
 * @param recordTimestamp which time each record's Kafka timestamp carries
 * @param clientLogInterval the Kafka client's warnings are shown at most once per kind per this
 *        interval ({@code probe.stats.interval}); zero shows each kind once
 * @param producer the {@code probe.sink.kafka.producer} block flattened to client properties,
 *        as the user wrote it (without the keys the sink sets itself)
 */
public record KafkaSinkSettings(String topic, int maxInFlight, Duration maxBlock, Duration startupTimeout,
                                long bufferHeadroom, DeliveryMode delivery, RecordTimestamp recordTimestamp,
                                Duration clientLogInterval, Map<String, String> producer) {
    /** The configuration section this record is read from. */
    public static final String PATH = "probe.sink.kafka";
    /** Path of the producer block; each key below it is a producer property. */
    public static final String PRODUCER_PATH = PATH + ".producer";
    /** Path of the bootstrap servers, named in errors about an unreachable cluster. */
    public static final String BOOTSTRAP_PATH = PRODUCER_PATH + "." + ProducerConfig.BOOTSTRAP_SERVERS_CONFIG;
    /** Path of the topic, named in errors about a missing topic. */
    public static final String TOPIC_PATH = PATH + ".topic";
    /** Path of the free-buffer headroom below which the sink takes no more packets. */
    public static final String BUFFER_HEADROOM_PATH = PATH + ".buffer-headroom";
    /** Path of the delivery mode. */
    public static final String DELIVERY_PATH = PATH + ".delivery";
    /** Path of the choice of record timestamp, named by the start-up guards. */
    public static final String RECORD_TIMESTAMP_PATH = PATH + ".record-timestamp";
    /** Path of the stats interval the client's warnings are rate-limited by. */
    public static final String STATS_INTERVAL_PATH = "probe.stats.interval";

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    /** A quoted value in a JAAS configuration, such as {@code password="..."}. */
    private static final Pattern JAAS_VALUE = Pattern.compile("=\\s*\"([^\"]*)\"");
    private static final long MAX_BLOCK_MAX_MS = Integer.MAX_VALUE;
    private static final String REDACTED = "<redacted>";

    /** Producer keys the sink sets itself, with the setting to use instead. */
    private static final Map<String, String> RESERVED = Map.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "the sink always writes byte arrays",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "the sink always writes byte arrays",
            ProducerConfig.CLIENT_ID_CONFIG, "the sink names each client probe-<worker>",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "set " + PATH + ".max-block instead");

    /** Copies the map so that the record stays immutable. */
    public KafkaSinkSettings {
        producer = Map.copyOf(producer);
    }

    /**
     * Reads and validates {@code probe.sink.kafka} from the whole resolved configuration.
     *
     * @throws ProbeException naming the first bad setting, what was expected and where it was given
     */
    public static KafkaSinkSettings from(final Config config) {
        final String topic = Settings.nonEmptyString(config, TOPIC_PATH);
        if (!LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw Settings.invalid(config, TOPIC_PATH,
                    "a Kafka topic name: 1 to 249 of the characters a-z A-Z 0-9 . _ -");
        }
        final int maxInFlight = Settings.intInRange(config, PATH + ".max-in-flight", 1, Integer.MAX_VALUE);
        final Duration maxBlock = Settings.duration(config, PATH + ".max-block", Duration.ZERO);
        if (maxBlock.toMillis() > MAX_BLOCK_MAX_MS) {
            throw Settings.invalid(config, PATH + ".max-block", "a duration of at most " + MAX_BLOCK_MAX_MS + "ms");
        }
        final Duration startupTimeout = Settings.duration(config, PATH + ".startup-timeout", Duration.ofMillis(1));
        if (startupTimeout.toMillis() > MAX_BLOCK_MAX_MS) {
            throw Settings.invalid(config, PATH + ".startup-timeout", "a duration of at most " + MAX_BLOCK_MAX_MS + "ms");
        }
        final DeliveryMode delivery = Settings.enumValue(config, DELIVERY_PATH, DeliveryMode.class);
        final RecordTimestamp recordTimestamp = Settings.enumValue(config, RECORD_TIMESTAMP_PATH, RecordTimestamp.class);
        final Duration clientLogInterval = Settings.duration(config, STATS_INTERVAL_PATH, Duration.ZERO);
        final Map<String, String> producer = producer(config, delivery);
        final long bufferMemory = Long.parseLong(producer.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG,
                String.valueOf(ProducerConfig.configDef().defaultValues().get(ProducerConfig.BUFFER_MEMORY_CONFIG)))
                .trim());
        final long bufferHeadroom = Settings.bytes(config, BUFFER_HEADROOM_PATH, 0, Long.MAX_VALUE);
        if (bufferHeadroom >= bufferMemory) {
            throw Settings.invalid(config, BUFFER_HEADROOM_PATH, "a size below " + PRODUCER_PATH + "."
                    + ProducerConfig.BUFFER_MEMORY_CONFIG + " (" + bufferMemory + " bytes), or 0 to turn the check off");
        }
        return new KafkaSinkSettings(topic, maxInFlight, maxBlock, startupTimeout, bufferHeadroom, delivery,
                recordTimestamp, clientLogInterval, producer);
    }

    /**
     * The producer's {@code max.block.ms}: half of {@code max-block}, in whole milliseconds. A burst's
     * calls stop once they have taken {@code max-block} less this, so the call under way then, which
     * blocks at most this, ends within {@code max-block}: one send never blocks longer.
     */
    public Duration clientMaxBlock() {
        return Duration.ofMillis(maxBlock.toMillis() / 2);
    }

    /** Whether {@code interceptor.classes} is set: an interceptor may keep the records it is shown. */
    public boolean hasInterceptors() {
        final String classes = producer.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
        return classes != null && !classes.isBlank();
    }

    /** The producer's {@code delivery.timeout.ms}: how long a record may stay in flight. */
    public Duration deliveryTimeout() {
        return Duration.ofMillis(Long.parseLong(producerSetting(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)));
    }

    /** The producer's {@code batch.size} as given, or the client's default. */
    public int batchSize() {
        return Integer.parseInt(producerSetting(ProducerConfig.BATCH_SIZE_CONFIG));
    }

    private String producerSetting(final String key) {
        final String given = producer.get(key);
        return given != null ? given.trim() : String.valueOf(ProducerConfig.configDef().defaultValues().get(key));
    }

    /** The bootstrap servers, for messages: {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return producer.getOrDefault(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "(not set)");
    }

    /**
     * The properties of the producer of worker {@code workerName}: those of the delivery mode, then the
     * producer block, byte-array serializers, {@code client.id = probe-<workerName>},
     * {@code max.block.ms} = {@link #clientMaxBlock()}, and {@code batch.size} at most {@code batchSizeCap}.
     */
    public Properties producerProperties(final String workerName, final int batchSizeCap) {
        final Properties props = new Properties();
        props.putAll(delivery.producerProperties());
        props.putAll(producer);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "probe-" + workerName);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(clientMaxBlock().toMillis()));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(Math.min(batchSize(), batchSizeCap)));
        return props;
    }

    /**
     * {@code message} with every secret of the producer block (passwords, keys, the JAAS configuration
     * and the values quoted in it) replaced by {@code <redacted>}: for messages built from a client's
     * exceptions, which may quote what they could not parse.
     */
    public String scrub(final String message) {
        String result = message;
        for (final Map.Entry<String, String> e : producer.entrySet()) {
            if (!Settings.isSecret(PRODUCER_PATH + "." + e.getKey())) {
                continue;
            }
            result = replace(result, e.getValue());
            final Matcher quoted = JAAS_VALUE.matcher(e.getValue());
            while (quoted.find()) {
                result = replace(result, quoted.group(1));
            }
        }
        return result;
    }

    private static String replace(final String text, final String secret) {
        return secret == null || secret.isBlank() ? text : text.replace(secret, REDACTED);
    }

    /** The subset of the producer block an admin client understands (addresses, security, DNS). */
    public Properties adminProperties(final String clientId) {
        final Set<String> adminNames = AdminClientConfig.configNames();
        final Properties props = new Properties();
        producer.forEach((k, v) -> {
            if (adminNames.contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    private static Map<String, String> producer(final Config config, final DeliveryMode delivery) {
        if (!config.hasPath(PRODUCER_PATH)) {
            return Map.of();
        }
        final Config block;
        try {
            block = config.getConfig(PRODUCER_PATH);
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            throw Settings.invalid(config, PRODUCER_PATH, "an object of Kafka producer settings");
        }
        final ConfigDef definitions = ProducerConfig.configDef();
        final Map<String, ConfigDef.ConfigKey> keys = definitions.configKeys();
        final Map<String, String> result = new TreeMap<>();
        for (final Map.Entry<String, ConfigValue> entry : block.entrySet()) {
            // entrySet gives full paths ("bootstrap.servers" for bootstrap { servers }), quoted where a
            // segment needs it; splitPath undoes the quoting so both spellings give the same key.
            final String path = PRODUCER_PATH + "." + entry.getKey();
            final String key = String.join(".", ConfigUtil.splitPath(entry.getKey()));
            if (RESERVED.containsKey(key)) {
                throw Settings.invalid(config, path, "no value here: " + RESERVED.get(key));
            }
            final ConfigDef.ConfigKey definition = keys.get(key);
            if (definition == null) {
                throw Settings.invalid(config, path, "the name of a Kafka producer setting (see ProducerConfig)");
            }
            if (entry.getValue().valueType() == ConfigValueType.LIST && definition.type != ConfigDef.Type.LIST) {
                throw Settings.invalid(config, path, "a single value for " + key + ", not a list");
            }
            final String value = flatten(config, path, entry.getValue());
            try {
                final Object parsed = ConfigDef.parseType(key, value, definition.type);
                if (definition.validator != null) {
                    definition.validator.ensureValid(key, parsed);
                }
            } catch (ConfigException e) {
                throw Settings.invalid(config, path, "a value the Kafka producer accepts for " + key
                        + " (" + reason(e) + ")");
            }
            if (key.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                for (final String address : value.split(",")) {
                    if (org.apache.kafka.common.utils.Utils.getHost(address.strip()) == null
                            || org.apache.kafka.common.utils.Utils.getPort(address.strip()) == null) {
                        throw Settings.invalid(config, path, "host:port addresses separated by commas, such as kafka1:9092,kafka2:9092");
                    }
                }
            }
            final String conflict = delivery.conflict(key, value);
            if (conflict != null) {
                throw Settings.invalid(config, path, conflict + " when " + DELIVERY_PATH + " = "
                        + delivery.name().toLowerCase(Locale.ROOT));
            }
            if (result.put(key, value) != null) {
                throw Settings.invalid(config, path, "one spelling of " + key + ", but it is also given as "
                        + (entry.getKey().startsWith("\"") ? "nested keys" : "a quoted key") + "; keep one");
            }
        }
        checkDeliveryTimeout(config, result);
        return result;
    }

    /** The client's own rule, checked here so that check reports it: delivery.timeout.ms >= linger.ms + request.timeout.ms. */
    private static void checkDeliveryTimeout(final Config config, final Map<String, String> producer) {
        final Map<String, Object> defaults = ProducerConfig.configDef().defaultValues();
        final long delivery = Long.parseLong(producer.getOrDefault(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                String.valueOf(defaults.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG))).trim());
        final long linger = Long.parseLong(producer.getOrDefault(ProducerConfig.LINGER_MS_CONFIG,
                String.valueOf(defaults.get(ProducerConfig.LINGER_MS_CONFIG))).trim());
        final long request = Long.parseLong(producer.getOrDefault(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                String.valueOf(defaults.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG))).trim());
        if (delivery < linger + request) {
            throw Settings.invalid(config, PRODUCER_PATH + "." + ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    "at least linger.ms + request.timeout.ms (" + linger + " + " + request + " ms), as the Kafka client requires");
        }
    }

    private static String flatten(final Config config, final String path, final ConfigValue value) {
        final Object unwrapped = value.unwrapped();
        if (value.valueType() == ConfigValueType.LIST) {
            final List<?> items = (List<?>) unwrapped;
            return items.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (value.valueType() == ConfigValueType.OBJECT) {
            throw Settings.invalid(config, path, "a string, number, boolean or list");
        }
        return String.valueOf(unwrapped);
    }

    private static String reason(final ConfigException e) {
        final String message = e.getMessage() == null ? "invalid" : e.getMessage();
        final int colon = message.lastIndexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }
}
