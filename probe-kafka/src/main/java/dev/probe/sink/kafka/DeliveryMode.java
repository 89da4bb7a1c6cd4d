package dev.probe.sink.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Map;

/**
 * {@code probe.sink.kafka.delivery}: what the producer promises about each record, set through the
 * producer settings it implies. Explicit producer settings must agree with it.
 */
public enum DeliveryMode {
    /**
     * {@code acks = 1}, no idempotence: one round trip to the partition leader. A record the leader
     * took is lost if the leader fails before a follower copied it; a batch whose answer was lost
     * (a broker killed, a request timed out) is sent again and can be written twice; retried batches
     * can land out of order.
     */
    FAST(Map.of(ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false")),
    /**
     * {@code acks = all} with idempotence: a record counts as delivered once every in-sync replica has
     * it; the broker drops batches the producer sends again, and keeps each partition in send order.
     */
    DURABLE(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"));

    /** Idempotence keeps order only with at most this many requests in flight per connection. */
    static final int MAX_IN_FLIGHT_WITH_IDEMPOTENCE = 5;

    private final Map<String, String> producerProperties;

    DeliveryMode(final Map<String, String> producerProperties) {
        this.producerProperties = producerProperties;
    }

    /** The producer properties this mode sets. */
    public Map<String, String> producerProperties() {
        return producerProperties;
    }

    /**
     * What is wrong with {@code value} for producer setting {@code key} in this mode, as the
     * "expected ..." part of an error, or null when it agrees.
     */
    String conflict(final String key, final String value) {
        final String v = value.trim();
        switch (key) {
            case ProducerConfig.ACKS_CONFIG -> {
                final boolean all = v.equals("all") || v.equals("-1");
                if (this == DURABLE && !all) {
                    return "all (or -1), or no value";
                }
                if (this == FAST && !v.equals("1")) {
                    return "1, or no value";
                }
            }
            case ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG -> {
                if (Boolean.parseBoolean(v) != (this == DURABLE)) {
                    return (this == DURABLE ? "true" : "false") + ", or no value";
                }
            }
            case ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION -> {
                if (this == DURABLE && Integer.parseInt(v) > MAX_IN_FLIGHT_WITH_IDEMPOTENCE) {
                    return "at most " + MAX_IN_FLIGHT_WITH_IDEMPOTENCE + " (idempotence keeps order only so)";
                }
            }
            case ProducerConfig.RETRIES_CONFIG -> {
                if (this == DURABLE && Integer.parseInt(v) == 0) {
                    return "above 0, or no value (idempotence retries)";
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }
}
