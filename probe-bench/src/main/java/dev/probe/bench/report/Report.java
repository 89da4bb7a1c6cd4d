package dev.probe.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the raw results of {@code bin/bench} into {@code results.md} and {@code pipeline.png}, and
 * prints the headline figures: reads the JMH JSON ({@code -rf json}) and the Kafka comparison's JSON.
 *
 * <p>Arguments: {@code RESULTS_DIR} holding {@code jmh*.json} (JMH {@code -rf json}) and optionally {@code kafka.json}, then an
 * optional title line (the command that produced the results).
 */
public final class Report {
    /** probe.transmit.ring-size of probe-runtime's reference.conf: the figures "at the defaults" are taken with it. */
    private static final int DEFAULT_RING = 16384;
    /** probe.receive.burst-size of probe-runtime's reference.conf, the other half of "at the defaults". */
    private static final int DEFAULT_BURST = 128;
    private Report() {
    }

    /** One pipeline measurement. */
    record PipelineRow(String source, String layout, String idle, int burst, int ring, double mpps, double mppsError,
                       double bytesPerPacket, double avgBurst, double ringFullPerSec, List<Double> mppsByFork) {
        /** The median of the forks' rates (the mean when there is one fork). */
        double medianMpps() {
            if (mppsByFork.isEmpty()) {
                return mpps;
            }
            final List<Double> sorted = mppsByFork.stream().sorted().toList();
            final int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    /** The mean packets per second of each fork, from JMH's raw data of the {@code packets} counter, in Mpps. */
    private static List<Double> byFork(final JsonNode packets) {
        final List<Double> forks = new ArrayList<>();
        for (final JsonNode fork : packets.path("rawData")) {
            double sum = 0;
            int n = 0;
            for (final JsonNode v : fork) {
                sum += v.asDouble();
                n++;
            }
            if (n > 0) {
                forks.add(sum / n / 1e6);
            }
        }
        return forks;
    }

    /** One ring microbenchmark measurement. */
    record RingRow(String group, int burst, double mpps, double failedPerSec) {
    }

    /** Writes the report; see the class comment. */
    public static void main(final String[] args) throws IOException {
        final Path dir = Path.of(args.length > 0 ? args[0] : "bench-results");
        final String command = args.length > 1 ? args[1] : "";
        final ObjectMapper json = new ObjectMapper();
        final List<PipelineRow> pipeline = new ArrayList<>();
        final List<RingRow> ring = new ArrayList<>();
        final List<Path> jmhFiles;
        try (var files = Files.list(dir)) {
            jmhFiles = files.filter(p -> p.getFileName().toString().matches("jmh.*\\.json")).sorted().toList();
        }
        for (final Path jmh : jmhFiles) {
            if (Files.size(jmh) == 0) {
                continue;
            }
            for (final JsonNode b : json.readTree(jmh.toFile())) {
                final String name = b.path("benchmark").asText();
                final JsonNode params = b.path("params");
                final JsonNode sec = b.path("secondaryMetrics");
                if (name.endsWith("PipelineBenchmark.pipeline")) {
                    final double packets = sec.path("packets").path("score").asDouble();
                    if (packets <= 0) {
                        continue;
                    }
                    final double ops = b.path("primaryMetric").path("score").asDouble();
                    final double norm = sec.has("gc.alloc.rate.norm") ? sec.path("gc.alloc.rate.norm").path("score").asDouble() : Double.NaN;
                    final double polls = sec.path("polls").path("score").asDouble();
                    pipeline.add(new PipelineRow(name.contains("Dpdk") ? "dpdk net_pcap" : "synthetic",
                            params.path("layout").asText(), params.path("idle").asText(),
                            params.path("burst").asInt(), params.path("ring").asInt(), packets / 1e6,
                            error(sec.path("packets")) / 1e6, norm * ops / packets,
                            polls > 0 ? packets / polls : Double.NaN, sec.path("ringFull").path("score").asDouble(),
                            byFork(sec.path("packets"))));
                } else if (name.contains("BurstRingBenchmark")) {
                    ring.add(new RingRow(name.substring(name.lastIndexOf('.') + 1), params.path("burst").asInt(),
                            sec.path("drained").path("score").asDouble() / 1e6,
                            sec.path("failedClaims").path("score").asDouble()));
                }
            }
        }
        final List<JsonNode> kafka = new ArrayList<>();
        final JsonNode kafkaRuns = readIfPresent(json, dir.resolve("kafka.json"));
        if (kafkaRuns != null) {
            kafkaRuns.forEach(kafka::add);
        }
        final JsonNode testpmd = readIfPresent(json, dir.resolve("testpmd.json"));
        final JsonNode crossCore = readIfPresent(json, dir.resolve("cross-core.json"));
        final JsonNode crossCoreAfter = readIfPresent(json, dir.resolve("cross-core-after.json"));
        final PipelineRow probeDefault = pipeline.stream()
                .filter(r -> r.source().startsWith("dpdk") && r.layout().equals("1x1") && r.burst() == DEFAULT_BURST && r.ring() == DEFAULT_RING
                        && r.idle().equals("backoff"))
                .findFirst().orElse(null);

        final StringBuilder md = new StringBuilder();
        md.append("# probe benchmark results\n\n");
        if (!command.isBlank()) {
            md.append("Produced by `").append(command).append("`. ");
        }
        md.append("Measured on a ").append(Runtime.getRuntime().availableProcessors())
                .append("-core machine that other jobs shared: absolute figures are noisy; compare figures of one run.\n\n");
        final List<String> headline = headline(pipeline, kafka, testpmd, probeDefault);
        md.append("## Headline\n\n");
        headline.forEach(h -> md.append("- ").append(h).append('\n'));
        md.append('\n');
        if (!pipeline.isEmpty()) {
            md.append("## Pipeline: source -> receive worker -> transmit ring -> transmit worker(s) -> discard\n\n");
            md.append("![packets per second by burst and ring size](pipeline.png)\n\n");
            md.append("Layout is receive queues x transmit workers per ring. B/packet is bytes allocated per packet by"
                    + " every thread (`-prof gc`: gc.alloc.rate.norm / packets per op). Avg burst is packets per poll that"
                    + " returned packets.\n\n");
            md.append("| source | layout | idle | burst | ring | Mpps | ± | B/packet | avg burst | ring-full/s |\n");
            md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (final PipelineRow r : pipeline) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.2f | %s | %s | %.1f | %.0f |%n",
                        r.source(), r.layout(), r.idle(), r.burst(), r.ring(), r.mpps(),
                        r.mppsError() > 0 ? String.format(Locale.ROOT, "%.2f", r.mppsError()) : "n/a",
                        Double.isNaN(r.bytesPerPacket()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.bytesPerPacket()),
                        r.avgBurst(), r.ringFullPerSec()));
            }
            md.append('\n');
            Chart.write(dir.resolve("pipeline.png"), pipeline);
        }
        if (!ring.isEmpty()) {
            md.append("## Transmit ring alone (BurstRing: fill and publish, take and release)\n\n");
            md.append("| group | burst | Mpps drained | failed claims/s | ns/packet |\n|---|---:|---:|---:|---:|\n");
            for (final RingRow r : ring) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f | %.1f |%n", r.group(), r.burst(), r.mpps(),
                        r.failedPerSec(), 1e3 / r.mpps()));
            }
            md.append('\n');
        }
        if (testpmd != null) {
            md.append("## Receive path: the probe's discarding pipeline against dpdk-testpmd rxonly\n\n");
            md.append(String.format(Locale.ROOT, "Both read `%s` (frames of %d bytes) in the same run:"
                    + " testpmd %.2f Mpps (mean of %d s after %d s of warm-up); the probe's pipeline at the default"
                    + " settings (1 queue x 1 worker, burst " + DEFAULT_BURST + ", ring " + DEFAULT_RING + ", backoff, data-room 9216) %s.%n%n",
                    testpmd.path("vdev").asText(), testpmd.path("frameSize").asInt(), testpmd.path("pps").asDouble() / 1e6,
                    testpmd.path("windowSeconds").asInt(), testpmd.path("warmupSeconds").asInt(),
                    probeDefault == null ? "was not measured"
                            : String.format(Locale.ROOT, "%s Mpps in %d fork(s): median **%.2fx of testpmd**, best %.2fx, worst %.2fx",
                            String.join(", ", probeDefault.mppsByFork().stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList()),
                            probeDefault.mppsByFork().size(),
                            probeDefault.medianMpps() * 1e6 / testpmd.path("pps").asDouble(),
                            probeDefault.mppsByFork().stream().mapToDouble(Double::doubleValue).max().orElse(0) * 1e6 / testpmd.path("pps").asDouble(),
                            probeDefault.mppsByFork().stream().mapToDouble(Double::doubleValue).min().orElse(0) * 1e6 / testpmd.path("pps").asDouble())));
            md.append("Each fork is a new JVM and a new EAL. On a 2-core VM a fork runs either at its full rate or, while"
                    + " the host keeps the two vCPUs in its slow placement, at a third to a half of it"
                    + " (probe-bench/PERFORMANCE.md), so the forks are listed one by one.\n\n");
            if (crossCore != null || crossCoreAfter != null) {
                md.append("Cross-core round trip of one cache line (`CrossCoreLatency`, threads not pinned)");
                if (crossCore != null) {
                    md.append(" just before testpmd: ").append(crossCoreFigures(crossCore));
                }
                if (crossCoreAfter != null) {
                    md.append(crossCore != null ? "; " : " ").append("just after the forks: ").append(crossCoreFigures(crossCoreAfter));
                }
                md.append(". The pipeline hands every packet from one core to the other; testpmd stays on one. The host"
                        + " moves the two vCPUs between placements in time, and in the slow one a cache line takes several"
                        + " times longer to cross.\n\n");
            }
        }
        if (!kafka.isEmpty()) {
            md.append("## Kafka: the probe against ProducerPerformance (same broker, same settings, same run)\n\n");
            md.append("One broker in its own process, 4-partition topics; each contender alone in its own JVM"
                    + " (-Xms1g -Xmx1g), linger.ms=5, batch.size=262144, buffer.memory=64 MiB, no compression;"
                    + " fast = acks=1, durable = acks=all with idempotence. Rate = growth of the topic's end offsets"
                    + " over the window after the warm-up; CPU = user + system time of the process over the window"
                    + " (all its threads: receive, transmit, the Kafka client's I/O thread, GC, JIT), per million"
                    + " records of the window. Checked = records of the window read back and checked byte for byte"
                    + " (the probe: 8-byte capture-time key inside the run, timestamp = key, value = one of the"
                    + " replayed frames; ProducerPerformance: no key, value of the record size).\n\n");
            md.append("| round | mode | bytes | PP rec/s | probe rec/s | rate probe/PP | PP CPU-s/M | probe CPU-s/M |"
                    + " CPU probe/PP | broker CPU-s/M (PP, probe) | checked (bad) PP, probe | probe dropped |\n");
            md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
            for (final KafkaPair k : pairs(kafka)) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s, %s | %s, %s | %s |%n",
                        k.round(), k.mode(), k.size(), num(k.pp(), "rate", "%,.0f"), num(k.probe(), "rate", "%,.0f"),
                        k.rateRatio() > 0 ? String.format(Locale.ROOT, "**%.2fx**", k.rateRatio()) : "n/a",
                        num(k.pp(), "cpuSecondsPerMillion", "%.3f"), num(k.probe(), "cpuSecondsPerMillion", "%.3f"),
                        k.cpuRatio() > 0 ? String.format(Locale.ROOT, "**%.2fx**", k.cpuRatio()) : "n/a",
                        num(k.pp(), "brokerCpuSecondsPerMillion", "%.3f"), num(k.probe(), "brokerCpuSecondsPerMillion", "%.3f"),
                        checks(k.pp()), checks(k.probe()), k.probe() == null ? "n/a" : k.probe().path("dropped").asText("n/a")));
            }
            md.append("\nWhere each process's CPU went over the window, CPU-s per million records by thread (rx = receive"
                    + " worker, tx = transmit worker, which runs the Kafka client's send path, kafka-io = the client's I/O"
                    + " thread, main = ProducerPerformance's sending thread):\n\n");
            final List<String> groups = List.of("rx", "tx", "main", "kafka-io", "gc", "jit", "other");
            md.append("| round | mode | bytes | contender | ").append(String.join(" | ", groups)).append(" |\n|---:|---|---:|---|");
            groups.forEach(g -> md.append("---:|"));
            md.append('\n');
            for (final JsonNode k : kafka) {
                if (!k.has("cpuSecondsPerMillionByThread")) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %d | %s | %d | %s |", k.path("round").asInt(), k.path("mode").asText(),
                        k.path("size").asInt(), k.path("contender").asText()));
                for (final String g : groups) {
                    final JsonNode v = k.path("cpuSecondsPerMillionByThread").path(g);
                    md.append(v.isMissingNode() ? " - |" : String.format(Locale.ROOT, " %.3f |", v.asDouble()));
                }
                md.append('\n');
            }
            for (final JsonNode k : kafka) {
                if (k.has("error")) {
                    md.append("\nFAILED: ").append(k.path("contender").asText()).append(' ').append(k.path("mode").asText())
                            .append(' ').append(k.path("size").asInt()).append(" B: ").append(k.path("error").asText()).append('\n');
                }
            }
            md.append('\n');
        }
        Files.writeString(dir.resolve("results.md"), md.toString());
        final String commit = System.getProperty("probe.bench.commit", "");
        if (!commit.isBlank()) {
            appendHistory(dir.resolve("history.jsonl"), json, command, commit, kafka, testpmd, probeDefault, crossCore,
                    crossCoreAfter);
        }
        System.out.println();
        System.out.println("== headline (" + dir.resolve("results.md") + ") ==");
        headline.forEach(h -> System.out.println("  " + h));
    }

    /**
     * Appends one line to {@code history.jsonl}: when, which commit (and whether the work tree had
     * uncommitted changes), the machine's core count, the command, and the headline ratios, so that a
     * regression shows against earlier runs.
     */
    private static void appendHistory(final Path history, final ObjectMapper json, final String command, final String commit,
                                      final List<JsonNode> kafka, final JsonNode testpmd, final PipelineRow probeDefault,
                                      final JsonNode crossCore, final JsonNode crossCoreAfter)
            throws IOException {
        final var line = json.createObjectNode();
        line.put("date", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        line.put("commit", commit);
        line.put("dirty", Boolean.getBoolean("probe.bench.dirty"));
        line.put("cores", Runtime.getRuntime().availableProcessors());
        line.put("loadAverage", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        line.put("command", command);
        if (testpmd != null) {
            line.put("testpmdMpps", testpmd.path("pps").asDouble() / 1e6);
        }
        if (probeDefault != null) {
            line.put("pipelineMpps", probeDefault.medianMpps());
            final var forks = line.putArray("pipelineMppsByFork");
            probeDefault.mppsByFork().forEach(forks::add);
        }
        if (testpmd != null && probeDefault != null) {
            line.put("pipelineOverTestpmd", probeDefault.medianMpps() * 1e6 / testpmd.path("pps").asDouble());
        }
        if (crossCore != null) {
            line.put("crossCoreRoundTripMedianNs", crossCore.path("medianNs").asDouble());
            line.put("crossCoreRoundTripP90Ns", crossCore.path("p90Ns").asDouble());
        }
        if (crossCoreAfter != null) {
            line.put("crossCoreAfterMedianNs", crossCoreAfter.path("medianNs").asDouble());
            line.put("crossCoreAfterP90Ns", crossCoreAfter.path("p90Ns").asDouble());
        }
        final var k = line.putArray("kafka");
        for (final KafkaPair pair : pairs(kafka)) {
            final var o = k.addObject();
            o.put("round", pair.round()).put("mode", pair.mode()).put("size", pair.size());
            if (pair.pp() != null && pair.pp().has("rate")) {
                o.put("ppRate", pair.pp().path("rate").asDouble()).put("ppCpuSecondsPerMillion", pair.pp().path("cpuSecondsPerMillion").asDouble());
            }
            if (pair.probe() != null && pair.probe().has("rate")) {
                o.put("probeRate", pair.probe().path("rate").asDouble())
                        .put("probeCpuSecondsPerMillion", pair.probe().path("cpuSecondsPerMillion").asDouble());
            }
            o.put("rateRatio", pair.rateRatio()).put("cpuRatio", pair.cpuRatio());
        }
        Files.writeString(history, json.writeValueAsString(line) + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** ProducerPerformance and the probe measured at one round, mode and size; either may be null. */
    record KafkaPair(int round, String mode, int size, JsonNode pp, JsonNode probe) {
        double rateRatio() {
            return ok(pp) && ok(probe) ? probe.path("rate").asDouble() / pp.path("rate").asDouble() : 0;
        }

        double cpuRatio() {
            return ok(pp) && ok(probe)
                    ? probe.path("cpuSecondsPerMillion").asDouble() / pp.path("cpuSecondsPerMillion").asDouble() : 0;
        }

        private static boolean ok(final JsonNode n) {
            return n != null && !n.has("error") && n.path("rate").asDouble() > 0;
        }
    }

    static List<KafkaPair> pairs(final List<JsonNode> kafka) {
        final Map<String, JsonNode[]> byKey = new LinkedHashMap<>();
        for (final JsonNode k : kafka) {
            final String key = k.path("round").asInt() + "|" + k.path("mode").asText() + "|" + k.path("size").asInt();
            final JsonNode[] pair = byKey.computeIfAbsent(key, x -> new JsonNode[2]);
            pair["probe".equals(k.path("contender").asText()) ? 1 : 0] = k;
        }
        final List<KafkaPair> pairs = new ArrayList<>();
        byKey.forEach((key, pair) -> {
            final String[] f = key.split("\\|");
            pairs.add(new KafkaPair(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), pair[0], pair[1]));
        });
        return pairs;
    }

    /** The JSON in {@code file}, or null when the file is missing or empty (that part of the bench did not run). */
    private static JsonNode readIfPresent(final ObjectMapper json, final Path file) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) > 0 ? json.readTree(file.toFile()) : null;
    }

    /** One {@code CrossCoreLatency} result in a few words. */
    private static String crossCoreFigures(final JsonNode c) {
        return String.format(Locale.ROOT, "%d samples, min %.1f ns, median %.1f ns, 90th percentile %.1f ns, max %.1f ns",
                c.path("roundTripNs").size(), c.path("minNs").asDouble(), c.path("medianNs").asDouble(),
                c.path("p90Ns").asDouble(), c.path("maxNs").asDouble());
    }

    private static String num(final JsonNode n, final String field, final String format) {
        return n == null || n.has("error") || !n.has(field) ? "n/a" : String.format(Locale.ROOT, format, n.path(field).asDouble());
    }

    private static String checks(final JsonNode n) {
        return n == null || !n.has("checked") ? "n/a" : n.path("checked").asLong() + " (" + n.path("checkFailures").asLong() + ")";
    }

    private static double error(final JsonNode metric) {
        final double e = metric.path("scoreError").asDouble();
        return Double.isNaN(e) ? 0 : e;
    }

    private static List<String> headline(final List<PipelineRow> pipeline, final List<JsonNode> kafka,
                                         final JsonNode testpmd, final PipelineRow probeDefault) {
        final List<String> lines = new ArrayList<>();
        for (final KafkaPair k : pairs(kafka)) {
            lines.add(String.format(Locale.ROOT, "Kafka %s %d B (round %d): rate probe/PP %s, CPU per record probe/PP %s"
                            + " (%s vs %s CPU-s per million records)", k.mode(), k.size(), k.round(),
                    k.rateRatio() > 0 ? String.format(Locale.ROOT, "%.2fx", k.rateRatio()) : "n/a",
                    k.cpuRatio() > 0 ? String.format(Locale.ROOT, "%.2fx", k.cpuRatio()) : "n/a",
                    num(k.probe(), "cpuSecondsPerMillion", "%.3f"), num(k.pp(), "cpuSecondsPerMillion", "%.3f")));
        }
        if (testpmd != null && probeDefault != null) {
            lines.add(String.format(Locale.ROOT, "receive path: probe pipeline at the defaults, median of %d fork(s) %.2f Mpps ="
                    + " %.2fx of dpdk-testpmd rxonly (%.2f Mpps) on the same net_pcap vdev; forks: %s Mpps",
                    probeDefault.mppsByFork().size(), probeDefault.medianMpps(),
                    probeDefault.medianMpps() * 1e6 / testpmd.path("pps").asDouble(), testpmd.path("pps").asDouble() / 1e6,
                    String.join(", ", probeDefault.mppsByFork().stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList())));
        }
        for (final String source : new TreeSet<>(pipeline.stream().map(PipelineRow::source).toList())) {
            final List<PipelineRow> rows = pipeline.stream().filter(r -> r.source().equals(source)).toList();
            final PipelineRow best = rows.stream().max((a, b) -> Double.compare(a.mpps(), b.mpps())).orElseThrow();
            lines.add(String.format(Locale.ROOT, "pipeline over %s: best %.1f Mpps (layout %s, %s, burst %d, ring %d)",
                    source, best.mpps(), best.layout(), best.idle(), best.burst(), best.ring()));
            rows.stream().filter(r -> r.layout().equals("1x1") && r.burst() == DEFAULT_BURST && r.ring() == DEFAULT_RING)
                    .forEach(r -> lines.add(String.format(Locale.ROOT,
                            "pipeline over %s at the defaults (1x1, burst " + DEFAULT_BURST + ", ring " + DEFAULT_RING + ", %s): %.1f Mpps", source, r.idle(), r.mpps())));
            final double maxAlloc = rows.stream().mapToDouble(PipelineRow::bytesPerPacket).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
            final double median = rows.stream().mapToDouble(PipelineRow::bytesPerPacket).filter(d -> !Double.isNaN(d)).sorted()
                    .skip(rows.size() / 2).findFirst().orElse(Double.NaN);
            lines.add(String.format(Locale.ROOT, "allocation over %s: median %.3f B/packet, worst %.3f B/packet (all threads)",
                    source, median, maxAlloc));
        }
        return lines;
    }
}
