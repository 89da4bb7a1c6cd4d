package dev.probe.bench.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.probe.bench.harness.PcapFrames;
import dev.probe.source.dpdk.Dpdk;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The probe into Kafka against Kafka's own {@code ProducerPerformance}, measured the same way in one
 * session. One broker runs in a process of its own ({@link BrokerProcess}). For each delivery mode and
 * record size, each contender runs alone, in its own JVM with the same JVM options, into a fresh
 * 4-partition topic, with the same producer settings:
 * <ul>
 *   <li>{@code ProducerPerformance} with {@code --record-size SIZE --throughput -1} and more records
 *       than it can send in the run;</li>
 *   <li>the probe itself ({@code dev.probe.runtime.cli.Main run} on the checkout's class path, at its
 *       default settings) reading a DPDK {@code net_pcap} port that replays 1024 frames of SIZE bytes
 *       forever ({@code infinite_rx=1}, {@code live = false}), or the synthetic source where DPDK is
 *       not installed.</li>
 * </ul>
 * After {@code --warmup} seconds of producing, the sum of the topic's end offsets (Admin
 * {@code listOffsets}, latest), the contender's CPU time and the broker's CPU time (user + system from
 * {@code /proc/<pid>/stat}) are read, and again {@code --window} seconds later: the rate is the growth
 * of the end offsets over the window, CPU per million records is the CPU time over the window per
 * million of those records. Then the contender is stopped and a sample of the records it wrote in the
 * window is read back and checked byte for byte ({@link RecordCheck}). Results go to a JSON array.
 *
 * <p>Delivery modes: {@code fast} is acks=1 without idempotence; {@code durable} is acks=all with
 * idempotence ({@code probe.sink.kafka.delivery = durable} when the probe's configuration has that
 * setting, else the same producer settings given directly). The rest is the same for both: linger.ms=5,
 * batch.size=262144, buffer.memory=64 MiB, compression none.
 *
 * <p>Arguments: {@code --out FILE --sizes 64,512,1500 --modes fast,durable --durable-sizes 512
 * --warmup 10 --window 20 --rounds 1 --work DIR}; {@code --source dpdk|synthetic} forces a source;
 * {@code --probe-b-classpath CP} adds a third contender, {@code probe-b}: the probe run from another
 * class path (a build with a change to compare), measured the same way in the same session.
 */
public final class KafkaBench {
    private static final String PP = "producer-performance";
    private static final String PROBE = "probe";
    private static final String PROBE_B = "probe-b";
    private static final int PARTITIONS = 4;
    private static final int FRAMES = 1024;
    private static final int SAMPLE_PER_PARTITION = 500;
    private static final long FIRST_RECORD_TIMEOUT_MS = 120_000;
    private static final long STOP_TIMEOUT_MS = 20_000;
    private static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "-Xms1g", "-Xmx1g");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String bootstrap;
    private final long brokerPid;
    private final Admin admin;
    private final Path work;
    private final double warmup;
    private final double window;
    private final boolean dpdk;
    private final String probeBClasspath;

    private KafkaBench(final String bootstrap, final long brokerPid, final Admin admin, final Path work,
                       final double warmup, final double window, final boolean dpdk, final String probeBClasspath) {
        this.bootstrap = bootstrap;
        this.brokerPid = brokerPid;
        this.admin = admin;
        this.work = work;
        this.warmup = warmup;
        this.window = window;
        this.dpdk = dpdk;
        this.probeBClasspath = probeBClasspath;
    }

    /** Runs the comparison; see the class comment. */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        final Path out = Path.of(opts.getOrDefault("out", "bench-results/kafka.json"));
        final List<Integer> sizes = ints(opts.getOrDefault("sizes", "64,512,1500"));
        final List<String> modes = List.of(opts.getOrDefault("modes", "fast,durable").split(","));
        final List<Integer> durableSizes = ints(opts.getOrDefault("durable-sizes", opts.getOrDefault("sizes", "64,512,1500")));
        final int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
        final Path work = Path.of(opts.getOrDefault("work", "bench-results/kafka-work"));
        Files.createDirectories(work);
        final String forced = opts.get("source");
        final boolean dpdk = forced == null ? Dpdk.isAvailable() : forced.equals("dpdk");
        if (!dpdk) {
            System.out.println("kafka: DPDK is not available (" + (forced != null ? "--source " + forced
                    : Dpdk.unavailabilityCause()) + "): the probe reads the synthetic source instead of net_pcap");
        }

        final Process broker = start(java(BrokerProcess.class.getName()), work.resolve("broker.log"), true);
        final String bootstrap = awaitBootstrap(broker, work.resolve("broker.log"));
        System.out.println("kafka: broker (pid " + broker.pid() + ") at " + bootstrap + ", " + PARTITIONS + " partitions per topic");
        final ArrayNode rows = JSON.createArrayNode();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            final KafkaBench bench = new KafkaBench(bootstrap, broker.pid(), admin, work,
                    Double.parseDouble(opts.getOrDefault("warmup", "10")), Double.parseDouble(opts.getOrDefault("window", "20")), dpdk,
                    opts.get("probe-b-classpath"));
            for (int round = 1; round <= rounds; round++) {
                for (final String mode : modes) {
                    for (final int size : mode.equals("durable") ? durableSizes : sizes) {
                        final List<String> order = new ArrayList<>(round % 2 == 1 ? List.of(PP, PROBE) : List.of(PROBE, PP));
                        if (bench.probeBClasspath != null) {
                            order.add(round % 2 == 1 ? order.size() : 0, PROBE_B);
                        }
                        for (final String contender : order) {
                            ObjectNode row;
                            try {
                                row = bench.run(contender, mode, size);
                            } catch (Exception e) {
                                row = JSON.createObjectNode().put("contender", contender).put("mode", mode).put("size", size)
                                        .put("error", e.toString());
                            }
                            row.put("round", round);
                            rows.add(row);
                            System.out.println(line(row));
                        }
                    }
                }
            }
        } finally {
            broker.getOutputStream().close();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n");
        System.out.println("kafka: wrote " + out);
        System.exit(0);
    }

    private static List<Integer> ints(final String csv) {
        final List<Integer> values = new ArrayList<>();
        for (final String s : csv.split(",")) {
            if (!s.isBlank()) {
                values.add(Integer.parseInt(s.trim()));
            }
        }
        return values;
    }

    /** Runs one contender alone into a fresh topic and measures it; see the class comment. */
    private ObjectNode run(final String contender, final String mode, final int size) throws Exception {
        final int id = RUNS.incrementAndGet();
        final String topic = contender + "-" + mode + "-" + size + "-" + id;
        createTopic(topic);
        final ObjectNode row = JSON.createObjectNode();
        row.put("contender", contender);
        row.put("mode", mode);
        row.put("size", size);
        final long startMicros = epochMicros();
        final Path log = work.resolve(topic + ".log");
        final Path summary = work.resolve(topic + "-summary.json");
        final Process p;
        if (contender.equals(PP)) {
            p = start(producerPerformance(topic, size, mode), log, false);
            row.put("source", "payload array");
        } else {
            p = start(probe(topic, size, mode, summary, id, contender.equals(PROBE_B) ? probeBClasspath : null), log, false);
            row.put("source", dpdk ? "dpdk net_pcap" : "synthetic");
        }
        try {
            if (!awaitFirstRecords(p, topic)) {
                row.put("error", "no record within " + FIRST_RECORD_TIMEOUT_MS / 1000 + " s (exit " + exitOf(p) + "), see " + log);
                return row;
            }
            sleep(warmup);
            final Map<Integer, Long> e0 = endOffsets(topic);
            final Map<String, Double> threads0 = ProcCpu.secondsByThreadGroup(p.pid());
            final double cpu0 = ProcCpu.seconds(p.pid());
            final double broker0 = ProcCpu.seconds(brokerPid);
            final long t0 = System.nanoTime();
            sleep(window);
            final Map<Integer, Long> e1 = endOffsets(topic);
            final double cpu1 = ProcCpu.seconds(p.pid());
            final Map<String, Double> threads1 = ProcCpu.secondsByThreadGroup(p.pid());
            final double broker1 = ProcCpu.seconds(brokerPid);
            final double seconds = (System.nanoTime() - t0) / 1e9;
            if (!p.isAlive()) {
                row.put("error", "the process ended during the window (exit " + p.exitValue() + "), see " + log);
                return row;
            }
            final long records = sum(e1) - sum(e0);
            row.put("windowSeconds", seconds);
            row.put("records", records);
            row.put("rate", records / seconds);
            row.put("cpuSeconds", cpu1 - cpu0);
            row.put("cpuSecondsPerMillion", (cpu1 - cpu0) / records * 1e6);
            row.put("brokerCpuSeconds", broker1 - broker0);
            row.put("brokerCpuSecondsPerMillion", (broker1 - broker0) / records * 1e6);
            final ObjectNode byThread = row.putObject("cpuSecondsPerMillionByThread");
            threads1.forEach((group, seconds1) -> byThread.put(group,
                    (seconds1 - threads0.getOrDefault(group, 0.0)) / records * 1e6));
            stop(p);
            final long endMicros = epochMicros();
            final RecordCheck.Rule rule = contender.equals(PP) ? RecordCheck.producerPerformanceRecords(size)
                    : dpdk ? RecordCheck.probeRecords(PcapFrames.frames(FRAMES, size), startMicros, endMicros)
                    : RecordCheck.syntheticRecords(size, startMicros, endMicros);
            final RecordCheck.Result check = RecordCheck.sample(bootstrap, topic, e0, SAMPLE_PER_PARTITION, rule);
            row.put("checked", check.checked());
            row.put("checkFailures", check.bad());
            if (check.firstProblem() != null) {
                row.put("firstCheckFailure", check.firstProblem());
            }
            if (!contender.equals(PP) && Files.isRegularFile(summary)) {
                final JsonNode s = JSON.readTree(summary.toFile());
                row.put("captured", s.path("captured").asLong());
                row.put("delivered", s.path("delivered").asLong());
                row.put("dropped", s.path("dropped_total").asLong());
                row.put("inFlight", s.path("in_flight").asLong());
                row.put("balanced", s.path("balanced").asBoolean());
            }
            return row;
        } finally {
            stop(p);
            deleteTopic(topic);
        }
    }

    private static String line(final JsonNode row) {
        if (row.has("error")) {
            return String.format(Locale.ROOT, "kafka: round %d, %s, %d B, %s: FAILED: %s", row.path("round").asInt(),
                    row.path("mode").asText(), row.path("size").asInt(), row.path("contender").asText(), row.path("error").asText());
        }
        return String.format(Locale.ROOT,
                "kafka: round %d, %s, %d B, %-20s %,10.0f rec/s, %.3f CPU-s per M records (broker %.3f), checked %d records, %d bad%s",
                row.path("round").asInt(), row.path("mode").asText(), row.path("size").asInt(), row.path("contender").asText(),
                row.path("rate").asDouble(), row.path("cpuSecondsPerMillion").asDouble(),
                row.path("brokerCpuSecondsPerMillion").asDouble(), row.path("checked").asLong(),
                row.path("checkFailures").asLong(),
                row.has("dropped") ? ", probe dropped " + row.path("dropped").asLong() : "");
    }

    /** The producer settings both contenders use in {@code mode}. */
    private static Map<String, String> producerSettings(final String mode) {
        final Map<String, String> p = new LinkedHashMap<>();
        p.put("acks", mode.equals("durable") ? "all" : "1");
        p.put("enable.idempotence", Boolean.toString(mode.equals("durable")));
        p.put("linger.ms", "5");
        p.put("batch.size", "262144");
        p.put("buffer.memory", "67108864");
        p.put("compression.type", "none");
        p.put("max.request.size", "1048576");
        return p;
    }

    private List<String> producerPerformance(final String topic, final int size, final String mode) {
        final List<String> cmd = java("org.apache.kafka.tools.ProducerPerformance");
        // More records than it can send before it is stopped: it must produce for the whole window.
        cmd.addAll(List.of("--topic", topic, "--num-records", "2000000000", "--record-size", Integer.toString(size),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap));
        producerSettings(mode).forEach((k, v) -> cmd.add(k + "=" + v));
        return cmd;
    }

    private List<String> probe(final String topic, final int size, final String mode, final Path summary, final int id,
                               final String classpath) throws IOException {
        final StringBuilder conf = new StringBuilder();
        if (dpdk) {
            final Path frames = PcapFrames.ensure(FRAMES, size);
            conf.append("probe.source.type = dpdk\n")
                    .append("probe.source.dpdk.eal-args = [\"--no-huge\", \"-m\", \"1024\", \"--no-pci\", \"--no-telemetry\",")
                    .append(" \"--file-prefix\", \"probe-bench-kafka-").append(ProcessHandle.current().pid()).append('-').append(id)
                    .append("\", \"--log-level\", \"*:warning\", \"--vdev\", \"net_pcap0,rx_pcap=").append(frames)
                    .append(",infinite_rx=1\"]\n")
                    .append("probe.source.dpdk.port = \"net_pcap0\"\n")
                    .append("probe.source.dpdk.live = false\n")
                    .append("probe.source.dpdk.link-wait = 0s\n");
        } else {
            conf.append("probe.source.type = synthetic\n")
                    .append("probe.source.synthetic.frame-size = ").append(size).append('\n')
                    .append("probe.source.synthetic.live = false\n");
        }
        conf.append("probe.sink.type = kafka\n")
                .append("probe.sink.kafka.topic = \"").append(topic).append("\"\n")
                .append("probe.sink.kafka.producer.bootstrap.servers = \"").append(bootstrap).append("\"\n")
                .append("probe.stats.interval = 0s\n")
                .append("probe.shutdown.timeout = 2s\n");
        // Extra settings for experiments, as for the pipeline benchmarks: -Dprobe.bench.set="path=value;path=value".
        for (final String extra : System.getProperty("probe.bench.set", "").split(";")) {
            if (!extra.isBlank()) {
                conf.append(extra.strip()).append('\n');
            }
        }
        final boolean deliverySetting = ConfigFactory.defaultReference().hasPath("probe.sink.kafka.delivery");
        if (deliverySetting) {
            conf.append("probe.sink.kafka.delivery = ").append(mode).append('\n');
        } else {
            producerSettings(mode).forEach((k, v) -> conf.append("probe.sink.kafka.producer.").append(k)
                    .append(" = \"").append(v).append("\"\n"));
        }
        final Path file = work.resolve(topic + ".conf");
        Files.writeString(file, conf);
        final List<String> cmd = java("dev.probe.runtime.cli.Main");
        if (classpath != null) {
            cmd.set(cmd.indexOf(System.getProperty("java.class.path")), classpath);
        }
        cmd.addAll(List.of("run", "-c", file.toString(), "--summary", summary.toString()));
        return cmd;
    }

    private static List<String> java(final String mainClass) {
        final String javaBin = ProcessHandle.current().info().command().orElse("java");
        final List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(JVM_OPTIONS);
        final String extra = System.getProperty("probe.bench.clientJvmArgs", "");
        if (!extra.isBlank() && !mainClass.equals(BrokerProcess.class.getName())) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return cmd;
    }

    private static Process start(final List<String> cmd, final Path log, final boolean pipeOutput) throws IOException {
        final ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (!pipeOutput) {
            b.redirectOutput(log.toFile());
        }
        return b.start();
    }

    private static String awaitBootstrap(final Process broker, final Path log) throws IOException {
        final BufferedReader r = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        final List<String> lines = new ArrayList<>();
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("BOOTSTRAP ")) {
                final Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // discard the broker's output; it logs only errors
                        }
                    } catch (IOException e) {
                        // the broker ended
                    }
                }, "broker-output");
                drain.setDaemon(true);
                drain.start();
                return line.substring("BOOTSTRAP ".length()).trim();
            }
            lines.add(line);
        }
        Files.write(log, lines);
        throw new IllegalStateException("the broker process ended before it took clients; see " + log);
    }

    private void createTopic(final String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            try {
                final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic);
                if (d.partitions().size() == PARTITIONS && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                // not known to the broker's metadata yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("topic " + topic + " has no leaders after 30 s");
    }

    private void deleteTopic(final String topic) {
        try {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("kafka: could not delete topic " + topic + ": " + e);
        }
    }

    private Map<Integer, Long> endOffsets(final String topic) throws Exception {
        final Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int i = 0; i < PARTITIONS; i++) {
            latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        final Map<Integer, Long> offsets = new LinkedHashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> offsets.put(tp.partition(), info.offset()));
        return offsets;
    }

    private static long sum(final Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private boolean awaitFirstRecords(final Process p, final String topic) throws Exception {
        final long deadline = System.currentTimeMillis() + FIRST_RECORD_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            if (sum(endOffsets(topic)) > 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Stops a contender with SIGTERM (the probe stops cleanly), then kills it if it lingers. */
    private static void stop(final Process p) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static String exitOf(final Process p) {
        return p.isAlive() ? "still running" : Integer.toString(p.exitValue());
    }

    private static long epochMicros() {
        final Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void sleep(final double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }
}
