package dev.probe.sink.kafka;

import dev.probe.api.ProbeException;
import dev.probe.spi.SinkFailure;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * What the Kafka client's exceptions mean for the probe: the {@link SinkFailure} a failed record is
 * counted under, whether a refusal of {@code send} is worth retrying, and the one-line start-up error
 * that names the setting at fault. Stateless; any thread.
 */
final class ClientErrors {
    /** The text the client gives records that failed only because another record of their batch was invalid. */
    private static final String BATCH_MATE = "part of a batch which had one more more invalid records";
    private static final String KEYSTORE_LOAD = "Failed to load SSL keystore ";

    private ClientErrors() {
    }

    /**
     * The reason a record that failed with {@code e} is counted under. A record refused only because a
     * batch-mate's time stamp was invalid counts as {@link SinkFailure#INVALID_TIMESTAMP} too: time
     * stamps are the only record-level error the sink's well-formed, keyed records can meet.
     */
    static SinkFailure classify(final Throwable e) {
        // BufferExhaustedException is a TimeoutException: test it first.
        if (e instanceof BufferExhaustedException) {
            return SinkFailure.BUFFER_EXHAUSTED;
        }
        if (e instanceof TimeoutException) {
            return isMetadataWait(e) ? SinkFailure.UNAVAILABLE : SinkFailure.TIMEOUT;
        }
        if (e instanceof RecordTooLargeException) {
            return SinkFailure.RECORD_TOO_LARGE;
        }
        if (e instanceof InvalidTimestampException || isBatchMate(e)) {
            return SinkFailure.INVALID_TIMESTAMP;
        }
        if (e instanceof InvalidRecordException && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timestamp")) {
            return SinkFailure.INVALID_TIMESTAMP;
        }
        if (e instanceof AuthorizationException || e instanceof AuthenticationException) {
            return SinkFailure.NOT_AUTHORIZED;
        }
        return SinkFailure.OTHER;
    }

    /** Whether {@code e} failed a record only because another record of its batch was invalid. */
    static boolean isBatchMate(final Throwable e) {
        return e.getClass() == org.apache.kafka.common.KafkaException.class
                && String.valueOf(e.getMessage()).contains(BATCH_MATE);
    }

    /**
     * Whether a synchronous refusal of {@code send} means "not now" (no metadata within max-block, no
     * buffer within max-block): the record is kept and sent again later instead of counted as failed.
     */
    static boolean isTransient(final Throwable e) {
        return e instanceof RetriableException;
    }

    /** Whether a refusal of {@code send} concerns only its record (a record too large), not the destination. */
    static boolean concernsOneRecord(final Throwable e) {
        return e instanceof RecordTooLargeException;
    }

    private static boolean isMetadataWait(final Throwable e) {
        return String.valueOf(e.getMessage()).contains("not present in metadata");
    }

    /**
     * The one-line start-up error for {@code t}, thrown while reaching Kafka (building a client, reading
     * the topic): it names the setting at fault and says what failed, with every secret scrubbed.
     */
    static ProbeException startupFailure(final Throwable t, final KafkaSinkSettings settings) {
        final String at = "Kafka at " + settings.bootstrapServers();
        final String p = KafkaSinkSettings.PRODUCER_PATH + ".";
        String line = null;
        for (Throwable c = t; c != null && line == null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnsupportedSaslMechanismException) {
                line = at + " does not offer this SASL mechanism: " + message(c) + " (" + p + SaslConfigs.SASL_MECHANISM + ")";
            } else if (c instanceof SaslAuthenticationException) {
                line = at + " refused the credentials: " + message(c) + " (" + p + SaslConfigs.SASL_JAAS_CONFIG + ")";
            } else if (c instanceof SslAuthenticationException) {
                line = tlsFailure(at, c, p);
            } else if (c instanceof AuthenticationException) {
                line = at + " did not authenticate this client: " + message(c) + " (" + p
                        + "security.protocol, " + p + SaslConfigs.SASL_JAAS_CONFIG + ")";
            } else if (c instanceof TopicAuthorizationException) {
                line = at + " does not let this client use topic " + settings.topic() + ": " + message(c)
                        + "; grant its user DESCRIBE and WRITE on the topic (" + KafkaSinkSettings.TOPIC_PATH + ")";
            } else if (c instanceof ClusterAuthorizationException) {
                line = at + " does not let this client write: " + message(c) + "; grant its user IDEMPOTENT_WRITE on"
                        + " the cluster, or set " + KafkaSinkSettings.DELIVERY_PATH + " = fast ("
                        + KafkaSinkSettings.DELIVERY_PATH + ")";
            } else if (String.valueOf(c.getMessage()).startsWith(KEYSTORE_LOAD)) {
                line = storeFailure(c, settings, p);
            } else if (String.valueOf(c.getMessage()).contains("JAAS")
                    || String.valueOf(c.getMessage()).contains("KafkaClient")) {
                line = "The SASL configuration is not usable: " + message(c) + " (" + p + SaslConfigs.SASL_JAAS_CONFIG + ")";
            }
        }
        if (line == null) {
            final String root = message(root(t));
            line = "Kafka client for " + at + " could not be created: " + root + " ("
                    + (root.contains("bootstrap") ? KafkaSinkSettings.BOOTSTRAP_PATH : KafkaSinkSettings.PRODUCER_PATH) + ")";
        }
        return new ProbeException(settings.scrub(oneLine(line)), t);
    }

    private static String tlsFailure(final String at, final Throwable c, final String p) {
        final String cause = message(root(c));
        final String lower = chain(c).toLowerCase(Locale.ROOT);
        final String what;
        if (lower.contains("subject alternative") || lower.contains("no name matching") || lower.contains("hostname")) {
            what = "the broker's certificate does not name the address connected to";
        } else if (lower.contains("pkix") || lower.contains("certificate")) {
            what = "the broker's certificate is not signed by a certificate authority in the trust store";
        } else {
            what = "the TLS handshake failed";
        }
        return "TLS with " + at + " failed: " + what + " (" + cause + ") (" + p + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG
                + ", " + p + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG + ")";
    }

    /** "Failed to load SSL keystore PATH of type T": which store, and why. */
    private static String storeFailure(final Throwable c, final KafkaSinkSettings settings, final String p) {
        final String text = String.valueOf(c.getMessage());
        final String rest = text.substring(KEYSTORE_LOAD.length());
        final int ofType = rest.lastIndexOf(" of type ");
        final String file = ofType >= 0 ? rest.substring(0, ofType) : rest;
        final boolean trust = file.equals(settings.producer().get(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG));
        final String store = trust ? "trust store" : "key store";
        final String location = p + (trust ? SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG : SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
        final Throwable root = root(c);
        if (root instanceof NoSuchFileException) {
            return "The TLS " + store + " " + file + " does not exist (" + location + ")";
        }
        if (root instanceof AccessDeniedException) {
            return "The TLS " + store + " " + file + " cannot be read by this user (" + location + ")";
        }
        final String chain = chain(c);
        if (chain.contains("password") || chain.contains("BadPaddingException") || chain.contains("UnrecoverableKeyException")) {
            return "The TLS " + store + " " + file + " cannot be opened with the password given ("
                    + p + (trust ? SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG : SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG) + ")";
        }
        return "The TLS " + store + " " + file + " cannot be loaded: " + message(root) + " (" + location + ", " + p
                + (trust ? SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG : SslConfigs.SSL_KEYSTORE_TYPE_CONFIG) + ")";
    }

    /** Every class name and message along {@code t}'s causes, for telling failures apart. */
    private static String chain(final Throwable t) {
        final StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            all.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return all.toString();
    }

    /** The innermost cause of {@code t}. */
    static Throwable root(final Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The message of {@code t}, or its class name when it has none, on one line. */
    static String message(final Throwable t) {
        final String m = t.getMessage();
        return oneLine(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }

    static String oneLine(final String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
