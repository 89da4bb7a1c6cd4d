package dev.probe.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Time;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node Kafka cluster in this JVM: one KRaft server that is both broker and controller,
 * listening on free ports of 127.0.0.1, with its storage formatted in a temporary folder that
 * {@link #close()} deletes. For tests and for {@code probe demo}; not for production data. It keeps
 * records however old their time stamps ({@code log.retention.ms = -1}), so that old captures replay
 * into it; {@link Options#withOverrides} can set a retention.
 *
 * <p>Lives in its own module so that no release of the probe carries a broker or Scala.
 * Start and close from one thread; {@link #bootstrapServers()} and {@link #createTopic} may be called
 * from any thread while it runs. {@link KafkaBrokerProcess} runs the same node in a process of its own,
 * for tests that kill it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final int START_ATTEMPTS = 3;

    /**
     * A SASL_SSL listener beside the plaintext one: SCRAM-SHA-512 over TLS with a PKCS12 key store.
     *
     * @param keystore the broker's key and certificate chain (see {@link TestCertificates})
     * @param keystorePassword the password of the key store and of its key
     * @param users SCRAM-SHA-512 user names and their passwords, created when the storage is formatted
     */
    public record SaslSsl(Path keystore, String keystorePassword, Map<String, String> users) {
        /** Copies the map. */
        public SaslSsl {
            users = Map.copyOf(users);
        }
    }

    /**
     * How to start the broker.
     *
     * @param partitions {@code num.partitions}: partitions of topics created on first use
     * @param autoCreateTopics {@code auto.create.topics.enable}
     * @param quietLogging lower the broker's loggers to WARN when log4j-core is the logging backend
     * @param overrides further broker properties, applied last
     * @param saslSsl a SASL_SSL listener to add, or null for plaintext only
     */
    public record Options(int partitions, boolean autoCreateTopics, boolean quietLogging,
                          Map<String, String> overrides, SaslSsl saslSsl) {
        /** Checks the values and copies the map. */
        public Options {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions: " + partitions + " (expected: > 0)");
            }
            overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
        }

        /** One partition per topic, topics created on first use, quiet logging, no overrides, plaintext only. */
        public static Options defaults() {
            return new Options(1, true, true, Map.of(), null);
        }

        /** A copy with {@code value} partitions per auto-created topic. */
        public Options withPartitions(final int value) {
            return new Options(value, autoCreateTopics, quietLogging, overrides, saslSsl);
        }

        /** A copy that does (or does not) create topics on first use. */
        public Options withAutoCreateTopics(final boolean value) {
            return new Options(partitions, value, quietLogging, overrides, saslSsl);
        }

        /** A copy that does (or does not) lower the broker's log levels. */
        public Options withQuietLogging(final boolean value) {
            return new Options(partitions, autoCreateTopics, value, overrides, saslSsl);
        }

        /** A copy with further broker properties. */
        public Options withOverrides(final Map<String, String> value) {
            return new Options(partitions, autoCreateTopics, quietLogging, value, saslSsl);
        }

        /** A copy with a SASL_SSL listener. */
        public Options withSaslSsl(final SaslSsl value) {
            return new Options(partitions, autoCreateTopics, quietLogging, overrides, value);
        }
    }

    private final Path folder;
    private final KafkaRaftServer server;
    private final BrokerSetup.Ports ports;
    private final Object adminLock = new Object();
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(final Path folder, final KafkaRaftServer server, final BrokerSetup.Ports ports) {
        this.folder = folder;
        this.server = server;
        this.ports = ports;
    }

    /** Starts a broker with {@link Options#defaults()}. */
    public static EmbeddedKafkaBroker start() {
        return start(Options.defaults());
    }

    /**
     * Formats storage in a new temporary folder and starts the server; returns once the broker is
     * registered and unfenced, ready for clients. Retries on new ports if the chosen ones were taken
     * meanwhile.
     *
     * @throws IllegalStateException when the broker does not start
     */
    public static EmbeddedKafkaBroker start(final Options options) {
        if (options.quietLogging()) {
            QuietLogging.apply();
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            final Path folder = BrokerSetup.newFolder();
            KafkaRaftServer server = null;
            try {
                final BrokerSetup.Ports ports = BrokerSetup.freePorts(options.saslSsl() != null);
                final Properties props = BrokerSetup.properties(options, folder, ports);
                BrokerSetup.format(folder, props, options);
                server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
                server.startup();
                return new EmbeddedKafkaBroker(folder, server, ports);
            } catch (RuntimeException e) {
                last = e;
                if (server != null) {
                    stop(server);
                }
                BrokerSetup.deleteQuietly(folder);
            }
        }
        throw new IllegalStateException("The embedded Kafka broker did not start: " + last.getMessage(), last);
    }

    /** {@code 127.0.0.1:port} of the plaintext listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return BrokerSetup.LOOPBACK + ":" + ports.broker();
    }

    /** {@code 127.0.0.1:port} of the SASL_SSL listener; only when started with {@link Options#withSaslSsl}. */
    public String saslSslBootstrapServers() {
        if (ports.saslSsl() == 0) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return BrokerSetup.LOOPBACK + ":" + ports.saslSsl();
    }

    /**
     * Creates {@code name} with {@code partitions} partitions and replication factor 1, and waits until
     * every partition has a leader. Does nothing if the topic exists already.
     */
    public void createTopic(final String name, final int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** As {@link #createTopic(String, int)}, with topic settings such as {@code max.message.bytes}. */
    public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
        BrokerSetup.createTopic(admin(), name, partitions, configs);
    }

    /** Sets topic settings of {@code name}, such as {@code retention.ms}, and waits until the broker reports them. */
    public void alterTopic(final String name, final Map<String, String> configs) {
        BrokerSetup.alterTopic(admin(), name, configs);
    }

    /** Shuts the broker down and deletes its folder. A second call does nothing. */
    @Override
    public void close() {
        synchronized (adminLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
        stop(server);
        BrokerSetup.deleteQuietly(folder);
    }

    private Admin admin() {
        synchronized (adminLock) {
            if (closed) {
                throw new IllegalStateException("The embedded Kafka broker is closed");
            }
            if (admin == null) {
                admin = BrokerSetup.admin(bootstrapServers(), "probe-embedded-admin");
            }
            return admin;
        }
    }

    private static void stop(final KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            // best effort: the folder is deleted anyway
        }
    }
}
