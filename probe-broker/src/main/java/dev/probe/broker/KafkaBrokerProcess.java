package dev.probe.broker;

import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The same single-node KRaft cluster as {@link EmbeddedKafkaBroker}, run as a process of its own
 * ({@code java kafka.Kafka server.properties} with this JVM's class path), so that a fault test can
 * kill it with SIGKILL ({@link #kill()}), freeze it with SIGSTOP and SIGCONT ({@link #pause()},
 * {@link #resume()}) and start it again on the same ports and data folder ({@link #restart()}).
 *
 * <p>The broker logs WARN and above to {@code broker-N.log} in its folder (N counts the starts); a
 * start returns once the broker logged that it is ready ("Kafka Server started"), which it does only
 * after the controller unfenced it. Its session timeout is 3 s, so that a restart after SIGKILL is
 * accepted about 3 s after the kill rather than 9. For tests only. One thread controls an instance;
 * {@link #bootstrapServers()} may be read by any.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final String READY_LINE = "Kafka Server started";

    private final Path folder;
    private final Path serverProperties;
    private final BrokerSetup.Ports ports;
    private final Thread reaper;
    private Process process;
    private int starts;
    private Admin admin;
    private boolean closed;

    private KafkaBrokerProcess(final Path folder, final Path serverProperties, final BrokerSetup.Ports ports) {
        this.folder = folder;
        this.serverProperties = serverProperties;
        this.ports = ports;
        this.reaper = new Thread(this::destroyNow, "kafka-broker-process-reaper");
    }

    /**
     * Formats a new data folder and starts the broker process; returns once it is ready for clients.
     *
     * @throws IllegalStateException when it does not start within 90 s, with the end of its output
     */
    public static KafkaBrokerProcess start(final EmbeddedKafkaBroker.Options options) {
        final Path folder = BrokerSetup.newFolder();
        try {
            final BrokerSetup.Ports ports = BrokerSetup.freePorts(options.saslSsl() != null);
            final Properties props = BrokerSetup.properties(options, folder, ports);
            // A restart after kill -9 waits for the old session to expire (9 s by default) before the
            // controller lets the node register again.
            props.putIfAbsent("broker.session.timeout.ms", "3000");
            props.putIfAbsent("broker.heartbeat.interval.ms", "500");
            final Path config = BrokerSetup.format(folder, props, options);
            Files.writeString(folder.resolve("log4j2.xml"), LOG_CONFIG);
            final KafkaBrokerProcess broker = new KafkaBrokerProcess(folder, config, ports);
            Runtime.getRuntime().addShutdownHook(broker.reaper);
            broker.launch();
            return broker;
        } catch (IOException e) {
            BrokerSetup.deleteQuietly(folder);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            BrokerSetup.deleteQuietly(folder);
            throw e;
        }
    }

    /** {@code 127.0.0.1:port} of the plaintext listener; the same across restarts. */
    public String bootstrapServers() {
        return BrokerSetup.LOOPBACK + ":" + ports.broker();
    }

    /** {@code 127.0.0.1:port} of the SASL_SSL listener; only when started with {@link EmbeddedKafkaBroker.Options#withSaslSsl}. */
    public String saslSslBootstrapServers() {
        if (ports.saslSsl() == 0) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return BrokerSetup.LOOPBACK + ":" + ports.saslSsl();
    }

    /** The broker's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the broker process runs (it may be paused). */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Creates a topic as {@link EmbeddedKafkaBroker#createTopic(String, int, Map)} does. */
    public void createTopic(final String name, final int partitions, final Map<String, String> configs) {
        BrokerSetup.createTopic(admin(), name, partitions, configs);
    }

    /** Creates a topic with the broker's defaults. */
    public void createTopic(final String name, final int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Sets topic settings of {@code name}, such as {@code retention.ms}, and waits until the broker reports them. */
    public void alterTopic(final String name, final Map<String, String> configs) {
        BrokerSetup.alterTopic(admin(), name, configs);
    }

    /** Kills the broker with SIGKILL, as {@code kill -9} does, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker process " + process.pid() + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the broker", e);
        }
    }

    /** Freezes the broker with SIGSTOP: connections stay open, nothing is answered. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a paused broker go on with SIGCONT. */
    public void resume() {
        signal("CONT");
    }

    /**
     * Starts the broker again, after {@link #kill()}, on the same ports and data folder; returns once it
     * is ready, which after a kill takes the session timeout and the log recovery.
     */
    public void restart() {
        if (isAlive()) {
            throw new IllegalStateException("the broker process still runs: kill() it first");
        }
        launch();
    }

    /** Kills the broker if it runs and deletes its folder. A second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
        destroyNow();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        BrokerSetup.deleteQuietly(folder);
    }

    private void destroyNow() {
        final Process p = process;
        if (p != null && p.isAlive()) {
            signalQuietly(p.pid(), "CONT");
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Admin admin() {
        if (closed) {
            throw new IllegalStateException("the broker process is closed");
        }
        if (admin == null) {
            admin = BrokerSetup.admin(bootstrapServers(), "probe-broker-process-admin");
        }
        return admin;
    }

    private void launch() {
        starts++;
        final Path log = folder.resolve("broker-" + starts + ".log");
        final Path out = folder.resolve("broker-" + starts + ".out");
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", "--sun-misc-unsafe-memory-access=allow",
                "-Dlog4j2.configurationFile=" + folder.resolve("log4j2.xml"),
                "-Dprobe.broker.log=" + log,
                "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", serverProperties.toString()));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the broker process", e);
        }
        final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!logged(log, READY_LINE)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The broker process exited with status " + process.exitValue()
                        + " before it was ready: " + tail(out) + " " + tail(log));
            }
            if (System.nanoTime() - deadline >= 0) {
                destroyNow();
                throw new IllegalStateException("The broker process was not ready within " + READY_TIMEOUT.toSeconds()
                        + " s: " + tail(out) + " " + tail(log));
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private void signal(final String name) {
        if (!isAlive()) {
            throw new IllegalStateException("the broker process does not run");
        }
        try {
            final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            final String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling the broker", e);
        }
    }

    private static void signalQuietly(final long pid, final String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the process is killed anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean logged(final Path log, final String line) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line);
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(final Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            final String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "";
        }
    }

    /** WARN and above to the file the system property names; the ready line too. */
    private static final String LOG_CONFIG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration status="WARN">
              <Appenders>
                <File name="file" fileName="${sys:probe.broker.log}">
                  <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/>
                </File>
              </Appenders>
              <Loggers>
                <Logger name="kafka.server.KafkaRaftServer" level="info"/>
                <Logger name="org.apache.kafka.controller.QuorumController" level="error"/>
                <Root level="warn"><AppenderRef ref="file"/></Root>
              </Loggers>
            </Configuration>
            """;
}
