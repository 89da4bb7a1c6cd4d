package dev.probe.bench.kafka;

import dev.probe.broker.EmbeddedKafkaBroker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kafka sink against Kafka's own limit, in one session: starts one real local broker (KRaft, in this
 * JVM, 4 partitions per topic), then for each frame size runs Kafka's {@code ProducerPerformance} and
 * the probe ({@link ProbeToKafka}) one after the other, each in its own JVM with the same classpath,
 * the same record size and count and the same producer settings (acks=1, linger.ms=5,
 * batch.size=262144, buffer.memory=64 MiB, no idempotence, no compression), each into a fresh topic.
 * Prints both rates and their ratio and writes them as JSON.
 *
 * <p>Arguments: {@code --out FILE} {@code --sizes 64,512} {@code --records 64=2000000,512=1000000}
 * {@code --sources dpdk,synthetic} {@code --rounds 1}.
 */
public final class KafkaBench {
    private static final Pattern PP_FINAL = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency");
    private static final List<String> PRODUCER = List.of("acks=1", "linger.ms=5", "batch.size=262144",
            "buffer.memory=67108864", "enable.idempotence=false", "compression.type=none", "max.request.size=1048576");

    private KafkaBench() {
    }

    /** Runs the comparison; see the class comment. */
    public static void main(final String[] args) throws Exception {
        final Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        final Path out = Path.of(opts.getOrDefault("out", "bench-results/kafka.json"));
        final List<Integer> sizes = new ArrayList<>();
        for (final String s : opts.getOrDefault("sizes", "64,512").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        final Map<Integer, Long> records = new LinkedHashMap<>();
        for (final String s : opts.getOrDefault("records", "64=2000000,512=1000000").split(",")) {
            final String[] kv = s.split("=");
            records.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
        }
        final List<String> sources = List.of(opts.getOrDefault("sources", "synthetic").split(","));
        final int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));

        final List<String> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                EmbeddedKafkaBroker.Options.defaults().withPartitions(4).withAutoCreateTopics(false))) {
            System.out.println("kafka: broker at " + broker.bootstrapServers() + ", 4 partitions per topic");
            int topicId = 0;
            for (int round = 1; round <= rounds; round++) {
                for (final int size : sizes) {
                    final long n = records.getOrDefault(size, 1_000_000L);
                    final String ppTopic = "pp-" + size + "-" + (++topicId);
                    broker.createTopic(ppTopic, 4);
                    final double pp = producerPerformance(broker.bootstrapServers(), ppTopic, size, n);
                    for (final String source : sources) {
                        final String topic = "probe-" + source + "-" + size + "-" + (++topicId);
                        broker.createTopic(topic, 4);
                        final Map<String, String> probe = probe(broker.bootstrapServers(), topic, size, n, source);
                        final double rate = Double.parseDouble(probe.getOrDefault("rate", "0"));
                        final String line = String.format(Locale.ROOT,
                                "kafka: round %d, %d-byte records, %d records: ProducerPerformance %.0f rec/s,"
                                        + " probe (%s) %.0f rec/s, ratio %.3f; captured %s = delivered %s + dropped %s"
                                        + " + in flight %s: %s",
                                round, size, n, pp, source, rate, pp > 0 ? rate / pp : 0, probe.get("captured"),
                                probe.get("delivered"), probe.get("dropped"), probe.get("inFlight"),
                                "true".equals(probe.get("balanced")) ? "balanced" : "UNBALANCED", probe.get("midRunSnapshotUnbalanced"),
                                probe.get("checks"), probe.get("midRunUnexplained"));
                        System.out.println(line);
                        rows.add(String.format(Locale.ROOT,
                                "{\"round\":%d,\"size\":%d,\"records\":%d,\"source\":\"%s\",\"producerPerformance\":%.1f,"
                                        + "\"probe\":%.1f,\"ratio\":%.4f,\"captured\":%s,\"delivered\":%s,\"dropped\":%s,"
                                        + "\"inFlight\":%s,\"balanced\":%s,\"midRunUnbalanced\":%s,\"midRunUnexplained\":%s,\"checks\":%s,"
                                        + "\"dropReasons\":\"%s\"}",
                                round, size, n, source, pp, rate, pp > 0 ? rate / pp : 0,
                                probe.getOrDefault("captured", "0"), probe.getOrDefault("delivered", "0"),
                                probe.getOrDefault("dropped", "0"), probe.getOrDefault("inFlight", "0"),
                                "true".equals(probe.get("balanced")), probe.getOrDefault("midRunSnapshotUnbalanced", "0"),
                                probe.getOrDefault("midRunUnexplained", "0"), probe.getOrDefault("checks", "0"),
                                probe.getOrDefault("dropReasons", "")));
                    }
                }
            }
        }
        final Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(out, "[\n" + String.join(",\n", rows) + "\n]\n");
        System.out.println("kafka: wrote " + out);
        System.exit(0);
    }

    private static double producerPerformance(final String bootstrap, final String topic, final int size,
                                              final long n) throws IOException, InterruptedException {
        final List<String> cmd = java("org.apache.kafka.tools.ProducerPerformance");
        cmd.addAll(List.of("--topic", topic, "--num-records", Long.toString(n), "--record-size", Integer.toString(size),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap));
        cmd.addAll(PRODUCER);
        double rate = 0;
        for (final String line : run(cmd)) {
            final Matcher m = PP_FINAL.matcher(line);
            if (m.find() && line.contains("50th")) {
                rate = Double.parseDouble(m.group(2));
                System.out.println("kafka: ProducerPerformance " + size + " B: " + line.trim());
            }
        }
        return rate;
    }

    private static Map<String, String> probe(final String bootstrap, final String topic, final int size, final long n,
                                             final String source) throws IOException, InterruptedException {
        final List<String> cmd = java(ProbeToKafka.class.getName());
        cmd.addAll(List.of(bootstrap, topic, Integer.toString(size), Long.toString(n), source));
        final Map<String, String> result = new LinkedHashMap<>();
        for (final String line : run(cmd)) {
            if (line.startsWith("RESULT ")) {
                for (final String kv : line.substring(7).split(" ")) {
                    final int eq = kv.indexOf('=');
                    result.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                System.out.println("kafka: probe " + source + " " + size + " B: " + line.substring(7));
            } else if (line.startsWith("UNBALANCED") || line.startsWith("SKIPPED") || line.contains("Exception")) {
                System.out.println("kafka: probe: " + line);
            }
        }
        return result;
    }

    private static List<String> java(final String mainClass) {
        final String javaBin = ProcessHandle.current().info().command().orElse("java");
        final List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"));
        final String extra = System.getProperty("probe.bench.clientJvmArgs", "");
        if (!extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return cmd;
    }

    private static List<String> run(final List<String> cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        final int rc = p.waitFor();
        if (rc != 0) {
            System.out.println("kafka: " + cmd.get(cmd.size() - 1) + " exited " + rc + ":");
            lines.stream().skip(Math.max(0, lines.size() - 20)).forEach(l -> System.out.println("  " + l));
        }
        return lines;
    }
}
