package dev.probe.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka cluster in this JVM: one KRaft server that is both broker and controller,
 * listening on free ports of 127.0.0.1, with its storage formatted in a temporary folder that
 * {@link #close()} deletes. For tests and for {@code probe demo}; not for production data.
 *
 * <p>Lives in its own module so that no release of the probe carries a broker or Scala.
 * Start and close from one thread; {@link #bootstrapServers()} and {@link #createTopic} may be called
 * from any thread while it runs.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final int START_ATTEMPTS = 3;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int NODE_ID = 1;

    /**
     * How to start the broker.
     *
     * @param partitions {@code num.partitions}: partitions of topics created on first use
     * @param autoCreateTopics {@code auto.create.topics.enable}
     * @param quietLogging lower the broker's loggers to WARN when log4j-core is the logging backend
     * @param overrides further broker properties, applied last
     */
    public record Options(int partitions, boolean autoCreateTopics, boolean quietLogging,
                          Map<String, String> overrides) {
        /** Checks the values and copies the map. */
        public Options {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions: " + partitions + " (expected: > 0)");
            }
            overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
        }

        /** One partition per topic, topics created on first use, quiet logging, no overrides. */
        public static Options defaults() {
            return new Options(1, true, true, Map.of());
        }

        /** A copy with {@code value} partitions per auto-created topic. */
        public Options withPartitions(final int value) {
            return new Options(value, autoCreateTopics, quietLogging, overrides);
        }

        /** A copy that does (or does not) create topics on first use. */
        public Options withAutoCreateTopics(final boolean value) {
            return new Options(partitions, value, quietLogging, overrides);
        }

        /** A copy that does (or does not) lower the broker's log levels. */
        public Options withQuietLogging(final boolean value) {
            return new Options(partitions, autoCreateTopics, value, overrides);
        }

        /** A copy with further broker properties. */
        public Options withOverrides(final Map<String, String> value) {
            return new Options(partitions, autoCreateTopics, quietLogging, value);
        }
    }

    private final Path folder;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Object adminLock = new Object();
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(final Path folder, final KafkaRaftServer server, final String bootstrapServers) {
        this.folder = folder;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
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
            final Path folder;
            try {
                folder = Files.createTempDirectory("probe-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a folder for the embedded Kafka broker", e);
            }
            KafkaRaftServer server = null;
            try {
                final int[] ports = freePorts(2);
                final Properties props = properties(options, folder, ports[0], ports[1]);
                format(folder, props);
                server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
                server.startup();
                return new EmbeddedKafkaBroker(folder, server, LOOPBACK + ":" + ports[0]);
            } catch (RuntimeException e) {
                last = e;
                if (server != null) {
                    stop(server);
                }
                deleteQuietly(folder);
            }
        }
        throw new IllegalStateException("The embedded Kafka broker did not start: " + last.getMessage(), last);
    }

    /** {@code 127.0.0.1:port} of the broker listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates {@code name} with {@code partitions} partitions and replication factor 1, and waits until
     * every partition has a leader. Does nothing if the topic exists already.
     */
    public void createTopic(final String name, final int partitions) {
        final Admin a = admin();
        try {
            try {
                a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause(), e.getCause());
                }
            }
            final long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (!hasLeaders(a, name)) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("Topic " + name + " has no leaders after " + ADMIN_TIMEOUT);
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Topic " + name + " not created within " + ADMIN_TIMEOUT, e);
        }
    }

    private static boolean hasLeaders(final Admin a, final String name) throws InterruptedException {
        try {
            final TopicDescription d = a.describeTopics(List.of(name)).allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
            return d != null && d.partitions().stream().map(TopicPartitionInfo::leader)
                    .allMatch(leader -> leader != null && !leader.isEmpty());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
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
        deleteQuietly(folder);
    }

    private Admin admin() {
        synchronized (adminLock) {
            if (closed) {
                throw new IllegalStateException("The embedded Kafka broker is closed");
            }
            if (admin == null) {
                final Properties props = new Properties();
                props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                props.put(AdminClientConfig.CLIENT_ID_CONFIG, "probe-embedded-admin");
                admin = Admin.create(props);
            }
            return admin;
        }
    }

    private static Properties properties(final Options options, final Path folder, final int brokerPort,
                                         final int controllerPort) {
        final Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", folder.resolve("data").toString());
        p.put("num.partitions", Integer.toString(options.partitions()));
        p.put("auto.create.topics.enable", Boolean.toString(options.autoCreateTopics()));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // One node on a small machine: few threads each, so that start-up and idle cost stay low.
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("group.coordinator.threads", "1");
        p.put("share.coordinator.threads", "1");
        // A test or demo broker: small segments and indexes, no lingering deleted files.
        p.put("log.segment.bytes", Integer.toString(64 << 20));
        p.put("log.index.size.max.bytes", Integer.toString(1 << 20));
        p.put("file.delete.delay.ms", "1000");
        p.putAll(options.overrides());
        return p;
    }

    /** Formats the storage in {@code folder} as {@code kafka-storage.sh format} would. */
    private static void format(final Path folder, final Properties props) {
        final Path config = folder.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "embedded Kafka broker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", config.toString()}, print);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting the embedded broker's storage failed: " + e, e);
        }
        if (status != 0) {
            throw new IllegalStateException("Formatting the embedded broker's storage failed (" + status + "): "
                    + output.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private static int[] freePorts(final int count) {
        final ServerSocket[] sockets = new ServerSocket[count];
        final int[] ports = new int[count];
        try {
            // Held open together so that the ports differ; KRaft's controller listener needs a real
            // port up front (the quorum voters name it), so port 0 cannot be used.
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + LOOPBACK, e);
        } finally {
            for (final ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // nothing to do
                    }
                }
            }
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

    private static void deleteQuietly(final Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a leftover temporary folder is not worth failing for
        }
    }
}
