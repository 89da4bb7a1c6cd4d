package dev.probe.runtime.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.spi.SinkFailure;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stats lines and the summary carry an ISO-8601 timestamp, in text (one line per stage) and in JSON (one
 * object per line with the same figures).
 */
class StatsFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant TIME = Instant.parse("2025-06-01T10:00:05.002Z");

    /** Two queues, three transmit workers, drops of three kinds, a sink detail; 2 s into the run. */
    private static Snapshot snapshot() {
        final Snapshot.Worker w00 = new Snapshot.Worker("tx-0-0", 600, 0, 0, 0, 600, 550, 55_000,
                Map.of(SinkFailure.TIMEOUT, 20L), Map.of(SinkFailure.TIMEOUT, "TimeoutException: expired"), null,
                Map.of("record-send-rate", 1234.5));
        final Snapshot.Worker w01 = new Snapshot.Worker("tx-0-1", 390, 0, 0, 0, 390, 390, 39_000, Map.of(), Map.of(),
                null, Map.of());
        final Snapshot.Worker w10 = new Snapshot.Worker("tx-1-0", 500, 0, 0, 0, 500, 480, 48_000, Map.of(), Map.of(),
                null, Map.of());
        final Snapshot.Queue q0 = new Snapshot.Queue(0, 1000, 40, 10, 5, 7, 993, 990, 4096, List.of(w00, w01));
        final Snapshot.Queue q1 = new Snapshot.Queue(1, 500, 20, 0, 0, 0, 500, 500, 4096, List.of(w10));
        return new Snapshot(2_000_000_000L, "a test source", Map.of("kernel", 3L), Map.of("held", 12L), List.of(q0, q1));
    }

    @Test
    void theFirstErrorOfAReasonIsShownOnceInStatsAndAlwaysInTheSummary() {
        final StatsFormatter formatter = new StatsFormatter(StatsFormat.TEXT);
        assertEquals(1, formatter.stats(TIME, snapshot()).stream().filter(l -> l.contains(" error ")).count());
        assertEquals(0, formatter.stats(TIME, snapshot()).stream().filter(l -> l.contains(" error ")).count(),
                "shown once, not every interval");
        assertTrue(StatsFormatter.summary(StatsFormat.TEXT, TIME, snapshot(), "end-of-input").stream()
                .anyMatch(l -> l.endsWith("summary error    sink-timeout: TimeoutException: expired")));
        assertTrue(StatsFormatter.summary(StatsFormat.JSON, TIME, snapshot(), "end-of-input").get(0)
                .contains("\"errors\": {\"sink-timeout\": \"TimeoutException: expired\"}"));
    }

    @Test
    void textLinesStartWithTheTimeAndShowEveryStage() {
        final List<String> lines = new StatsFormatter(StatsFormat.TEXT).stats(TIME, snapshot());
        assertEquals(List.of(
                "2025-06-01T10:00:05.002Z stats source   captured 1,503 (752/s) source-drops {kernel=3} {held=12}",
                "2025-06-01T10:00:05.002Z stats receive  packets 1,500 (q0 1,000, q1 500) bursts 60 full 10 repeats 5",
                "2025-06-01T10:00:05.002Z stats ring     enqueued 1,493 ring-full 7 depth 3",
                "2025-06-01T10:00:05.002Z stats sink     sent 1,490 delivered 1,420 (710/s, 0.6 Mbit/s) failed 20 {sink-timeout=20} in-flight 50",
                "2025-06-01T10:00:05.002Z stats total    captured 1,503 = delivered 1,420 + dropped 30 + in-flight 53",
                "2025-06-01T10:00:05.002Z stats error    sink-timeout: TimeoutException: expired"), lines);
        assertEquals(TIME, Instant.parse(lines.get(0).substring(0, lines.get(0).indexOf(' '))), "ISO-8601");
    }

    @Test
    void aJsonLineHoldsTheSameFiguresAsTheTextLines() throws Exception {
        final List<String> lines = new StatsFormatter(StatsFormat.JSON).stats(TIME, snapshot());
        assertEquals(1, lines.size(), "one object per line");
        final JsonNode o = JSON.readTree(lines.get(0));
        assertEquals(TIME, Instant.parse(o.get("time").asText()));
        assertEquals("stats", o.get("type").asText());
        assertEquals(1503, o.at("/source/captured").asLong());
        assertEquals(751.5, o.at("/source/captured_per_second").asDouble());
        assertEquals(3, o.at("/source/drops/kernel").asLong());
        assertEquals(12, o.at("/source/details/held").asLong());
        assertEquals(1500, o.at("/receive/packets").asLong());
        assertEquals(1000, o.at("/receive/queues/0").asLong());
        assertEquals(500, o.at("/receive/queues/1").asLong());
        assertEquals(60, o.at("/receive/bursts").asLong());
        assertEquals(10, o.at("/receive/full_bursts").asLong());
        assertEquals(5, o.at("/receive/repeats").asLong());
        assertEquals(1493, o.at("/ring/enqueued").asLong());
        assertEquals(7, o.at("/ring/ring_full").asLong());
        assertEquals(3, o.at("/ring/depth").asLong());
        assertEquals(1490, o.at("/sink/sent").asLong());
        assertEquals(1420, o.at("/sink/delivered").asLong());
        assertEquals(710.0, o.at("/sink/delivered_per_second").asDouble());
        assertEquals(142_000 * 8 / 2.0, o.at("/sink/delivered_bits_per_second").asDouble());
        assertEquals(20, o.at("/sink/failed").asLong());
        assertEquals(20, o.at("/sink/failures/sink-timeout").asLong());
        assertEquals(50, o.at("/sink/in_flight").asLong());
        assertEquals(1503, o.at("/total/captured").asLong());
        assertEquals(1420, o.at("/total/delivered").asLong());
        assertEquals(30, o.at("/total/dropped").asLong());
        assertEquals(53, o.at("/total/in_flight").asLong());
    }

    @Test
    void ratesAreSinceThePreviousLine() throws Exception {
        final StatsFormatter formatter = new StatsFormatter(StatsFormat.JSON);
        final Snapshot first = snapshot();
        formatter.stats(TIME, first);
        final Snapshot later = new Snapshot(first.elapsedNanos() + 1_000_000_000L, first.source(), first.sourceDrops(),
                first.sourceDetails(), first.queues());
        final JsonNode o = JSON.readTree(formatter.stats(TIME.plusSeconds(1), later).get(0));
        assertEquals(0.0, o.at("/source/captured_per_second").asDouble(), "nothing new in the last second");
        assertEquals("2025-06-01T10:00:06.002Z", o.get("time").asText());
    }

    @Test
    void aRunWritesItsSummaryInTheChosenFormat() throws Exception {
        for (final StatsFormat format : StatsFormat.values()) {
            final ByteArrayOutputStream output = new ByteArrayOutputStream();
            final Instant before = Instant.now();
            final ProbeRun.Result result = new ProbeRun(ConfigLoader.load(null, List.of("probe.source.type=synthetic",
                    "probe.sink.type=discard", "probe.source.synthetic.packets=5000", "probe.stats.interval=0s",
                    "probe.stats.format=" + format.name().toLowerCase(java.util.Locale.ROOT),
                    "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep"), Plugins.classpath()),
                    Plugins.classpath(), null, new PrintStream(output, true, StandardCharsets.UTF_8)).execute();
            assertEquals(5000, result.snapshot().delivered());
            final List<String> summary = output.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("probe: ") && !l.startsWith("WARNING: ")).toList();
            if (format == StatsFormat.TEXT) {
                assertEquals(5, summary.size(), String.join("\n", summary));
                for (final String line : summary) {
                    final Instant time = Instant.parse(line.substring(0, line.indexOf(' ')));
                    assertTrue(!time.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), line);
                    assertTrue(line.contains(" summary "), line);
                }
                assertTrue(summary.get(4).endsWith("summary total    captured 5,000 = delivered 5,000 + dropped 0 + in-flight 0"),
                        summary.get(4));
            } else {
                assertEquals(1, summary.size(), String.join("\n", summary));
                final JsonNode o = JSON.readTree(summary.get(0));
                assertEquals("summary", o.get("type").asText());
                assertEquals("end-of-input", o.get("outcome").asText());
                assertEquals(5000, o.at("/total/captured").asLong());
                assertEquals(5000, o.at("/total/delivered").asLong());
                assertEquals(0, o.at("/total/in_flight").asLong());
                assertEquals(result.snapshot().elapsedNanos() / 1e9, o.get("elapsed_seconds").asDouble(), 0.0005);
            }
        }
    }
}
