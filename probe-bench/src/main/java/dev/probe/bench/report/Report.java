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
    private Report() {
    }

    /** One pipeline measurement. */
    record PipelineRow(String source, String layout, String idle, int burst, int ring, double mpps, double mppsError,
                       double bytesPerPacket, double avgBurst, double ringFullPerSec) {
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
                            polls > 0 ? packets / polls : Double.NaN, sec.path("ringFull").path("score").asDouble()));
                } else if (name.contains("SpmcRingBenchmark")) {
                    ring.add(new RingRow(name.substring(name.lastIndexOf('.') + 1), params.path("burst").asInt(),
                            sec.path("drained").path("score").asDouble() / 1e6,
                            sec.path("failedOffers").path("score").asDouble()));
                }
            }
        }
        final List<JsonNode> kafka = new ArrayList<>();
        final Path kafkaFile = dir.resolve("kafka.json");
        if (Files.isRegularFile(kafkaFile)) {
            json.readTree(kafkaFile.toFile()).forEach(kafka::add);
        }

        final StringBuilder md = new StringBuilder();
        md.append("# probe benchmark results\n\n");
        if (!command.isBlank()) {
            md.append("Produced by `").append(command).append("`. ");
        }
        md.append("Measured on a ").append(Runtime.getRuntime().availableProcessors())
                .append("-core machine that other jobs shared: absolute figures are noisy; compare figures of one run.\n\n");
        final List<String> headline = headline(pipeline, kafka);
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
            md.append("## Transmit ring alone (SpmcPacketRing offer/drain)\n\n");
            md.append("| group | burst | Mpps drained | failed offers/s | ns/packet |\n|---|---:|---:|---:|---:|\n");
            for (final RingRow r : ring) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.0f | %.1f |%n", r.group(), r.burst(), r.mpps(),
                        r.failedPerSec(), 1e3 / r.mpps()));
            }
            md.append('\n');
        }
        if (!kafka.isEmpty()) {
            md.append("## Kafka: probe end to end vs ProducerPerformance (same broker, same settings, same run)\n\n");
            md.append("acks=1, linger.ms=5, batch.size=262144, buffer.memory=64 MiB, no idempotence, no compression,"
                    + " 4 partitions, broker on loopback in the driver JVM, each client in its own JVM.\n\n");
            md.append("| round | bytes | records | probe source | ProducerPerformance rec/s | probe rec/s | ratio |"
                    + " captured | delivered | dropped | in flight | balanced at end | mid-run snapshots off (explained) | drops by reason |\n");
            md.append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
            for (final JsonNode k : kafka) {
                md.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %.0f | %.0f | %.3f | %d | %d | %d | %d | %s | %d of %d (%d) | %s |%n",
                        k.path("round").asInt(), k.path("size").asInt(), k.path("records").asLong(),
                        k.path("source").asText(), k.path("producerPerformance").asDouble(), k.path("probe").asDouble(),
                        k.path("ratio").asDouble(), k.path("captured").asLong(), k.path("delivered").asLong(),
                        k.path("dropped").asLong(), k.path("inFlight").asLong(), k.path("balanced").asBoolean(),
                        k.path("midRunUnbalanced").asLong(), k.path("checks").asLong(),
                        k.path("midRunUnbalanced").asLong() - k.path("midRunUnexplained").asLong(),
                        nonZero(k.path("dropReasons").asText())));
            }
            md.append('\n');
        }
        Files.writeString(dir.resolve("results.md"), md.toString());
        System.out.println();
        System.out.println("== headline (" + dir.resolve("results.md") + ") ==");
        headline.forEach(h -> System.out.println("  " + h));
    }

    private static double error(final JsonNode metric) {
        final double e = metric.path("scoreError").asDouble();
        return Double.isNaN(e) ? 0 : e;
    }

    private static String nonZero(final String reasons) {
        final List<String> out = new ArrayList<>();
        for (final String kv : reasons.replace("{", "").replace("}", "").replace("_", "").split(",")) {
            if (kv.contains("=") && !kv.endsWith("=0")) {
                out.add(kv.trim());
            }
        }
        return out.isEmpty() ? "none" : String.join(" ", out);
    }

    private static List<String> headline(final List<PipelineRow> pipeline, final List<JsonNode> kafka) {
        final List<String> lines = new ArrayList<>();
        final Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (final JsonNode k : kafka) {
            ratios.computeIfAbsent(k.path("source").asText() + " " + k.path("size").asInt() + " B", x -> new ArrayList<>())
                    .add(k.path("ratio").asDouble());
        }
        ratios.forEach((key, values) -> lines.add(String.format(Locale.ROOT,
                "probe / ProducerPerformance, %s: %s", key, String.join(", ",
                        values.stream().map(v -> String.format(Locale.ROOT, "%.2fx", v)).toList()))));
        for (final String source : new TreeSet<>(pipeline.stream().map(PipelineRow::source).toList())) {
            final List<PipelineRow> rows = pipeline.stream().filter(r -> r.source().equals(source)).toList();
            final PipelineRow best = rows.stream().max((a, b) -> Double.compare(a.mpps(), b.mpps())).orElseThrow();
            lines.add(String.format(Locale.ROOT, "pipeline over %s: best %.1f Mpps (layout %s, %s, burst %d, ring %d)",
                    source, best.mpps(), best.layout(), best.idle(), best.burst(), best.ring()));
            rows.stream().filter(r -> r.layout().equals("1x1") && r.burst() == 32 && r.ring() == 4096)
                    .forEach(r -> lines.add(String.format(Locale.ROOT,
                            "pipeline over %s at the defaults (1x1, burst 32, ring 4096, %s): %.1f Mpps", source, r.idle(), r.mpps())));
            final double maxAlloc = rows.stream().mapToDouble(PipelineRow::bytesPerPacket).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
            final double median = rows.stream().mapToDouble(PipelineRow::bytesPerPacket).filter(d -> !Double.isNaN(d)).sorted()
                    .skip(rows.size() / 2).findFirst().orElse(Double.NaN);
            lines.add(String.format(Locale.ROOT, "allocation over %s: median %.3f B/packet, worst %.3f B/packet (all threads)",
                    source, median, maxAlloc));
        }
        return lines;
    }
}
