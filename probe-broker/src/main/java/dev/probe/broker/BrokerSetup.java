package dev.probe.broker;

import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@link EmbeddedKafkaBroker} and {@link KafkaBrokerProcess} share: free loopback ports, the
 * server properties of a single combined KRaft node, formatting its storage, creating topics and
 * deleting folders. Called by one thread at a time.
 */
final class BrokerSetup {
    static final String LOOPBACK = "127.0.0.1";
    static final int NODE_ID = 1;
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final String SASL_SSL = "SASL_SSL";

    /** The ports of one node: plaintext clients, the KRaft controller, and SASL_SSL clients (0 when none). */
    record Ports(int broker, int controller, int saslSsl) {
    }

    private BrokerSetup() {
    }

    /** Free ports for a node, with a SASL_SSL port when {@code saslSsl}. */
    static Ports freePorts(final boolean saslSsl) {
        final int[] ports = freePorts(saslSsl ? 3 : 2);
        return new Ports(ports[0], ports[1], saslSsl ? ports[2] : 0);
    }

    /** The server properties of a combined broker and controller on {@code ports}, data in {@code folder/data}. */
    static Properties properties(final EmbeddedKafkaBroker.Options options, final Path folder, final Ports ports) {
        final Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + ports.controller());
        final String plain = "PLAINTEXT://" + LOOPBACK + ":" + ports.broker();
        final String secure = SASL_SSL + "://" + LOOPBACK + ":" + ports.saslSsl();
        final EmbeddedKafkaBroker.SaslSsl saslSsl = options.saslSsl();
        p.put("listeners", plain + ",CONTROLLER://" + LOOPBACK + ":" + ports.controller()
                + (saslSsl == null ? "" : "," + secure));
        p.put("advertised.listeners", plain + (saslSsl == null ? "" : "," + secure));
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                + (saslSsl == null ? "" : "," + SASL_SSL + ":" + SASL_SSL));
        if (saslSsl != null) {
            final String prefix = "listener.name.sasl_ssl.";
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put(prefix + "scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.location", saslSsl.keystore().toAbsolutePath().toString());
            p.put(prefix + "ssl.keystore.password", saslSsl.keystorePassword());
            p.put(prefix + "ssl.key.password", saslSsl.keystorePassword());
        }
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
        // It keeps every record however old its time stamp, so that captures from years ago replay into
        // it (the probe refuses a topic that would delete them at once); a test of that sets retention.
        p.put("log.retention.ms", "-1");
        p.putAll(options.overrides());
        return p;
    }

    /** Writes {@code props} to {@code folder/server.properties} and formats the storage, as {@code kafka-storage.sh format} would. */
    static Path format(final Path folder, final Properties props, final EmbeddedKafkaBroker.Options options) {
        final Path config = folder.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "probe test broker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<String> args = new ArrayList<>(List.of("format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString()));
        if (options.saslSsl() != null) {
            options.saslSsl().users().forEach((name, password) -> {
                args.add("--add-scram");
                args.add("SCRAM-SHA-512=[name=" + name + ",password=" + password + "]");
            });
        }
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(args.toArray(String[]::new), print);
        } catch (Exception e) {
            throw new IllegalStateException("Formatting the broker's storage failed: " + e, e);
        }
        if (status != 0) {
            throw new IllegalStateException("Formatting the broker's storage failed (" + status + "): "
                    + output.toString(StandardCharsets.UTF_8).strip());
        }
        return config;
    }

    /** An admin client for the plaintext listener at {@code bootstrap}. */
    static Admin admin(final String bootstrap, final String clientId) {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return Admin.create(props);
    }

    /**
     * Creates {@code name} with {@code partitions} partitions, replication factor 1 and the topic
     * settings {@code configs}, and waits until every partition has a leader. Does nothing if the
     * topic exists already.
     */
    static void createTopic(final Admin a, final String name, final int partitions, final Map<String, String> configs) {
        try {
            try {
                a.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all()
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
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Topic " + name + " not created within " + ADMIN_TIMEOUT, e);
        }
    }

    /** Sets topic settings of {@code name} and waits until the broker reports them. */
    static void alterTopic(final Admin a, final String name, final Map<String, String> configs) {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        final List<AlterConfigOp> ops = configs.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET)).toList();
        try {
            a.incrementalAlterConfigs(Map.of(resource, ops)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (true) {
                final Config current = a.describeConfigs(List.of(resource)).all()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
                if (configs.entrySet().stream().allMatch(e -> e.getValue().equals(current.get(e.getKey()).value()))) {
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("Topic " + name + " did not take " + configs + " within " + ADMIN_TIMEOUT);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while altering topic " + name, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot alter topic " + name + ": " + e, e);
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

    static Path newFolder() {
        try {
            return Files.createTempDirectory("probe-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a folder for the Kafka broker", e);
        }
    }

    static void deleteQuietly(final Path folder) {
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
