package dev.probe.dist;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.testkit.NativeRequirement;
import dev.probe.testkit.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capture replayed into a real broker with the metrics endpoint on, scraped over HTTP once the run has
 * ended: {@code /metrics} agrees with the capture's manifest, the topic and the summary, and
 * {@code promtool check metrics} finds no problem in it. The alert rules the release ships are valid and
 * fire when they should.
 */
class MetricsScrapeTest {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aScrapeAfterAReplayAgreesWithTheCaptureTheTopicAndTheSummary() throws Exception {
        NativeRequirement.require(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian package prometheus)");
        final SharedCaptures.Entry capture = SharedCaptures.entry("arp-oobr.pcap");
        final int port = freePort();
        try (EmbeddedKafkaBroker broker = Release.broker()) {
            Release.createTopic(broker, "metrics", 2);
            final Plugins plugins = Plugins.classpath();
            final ProbeRun run = new ProbeRun(ConfigLoader.load(null, List.of(
                    "probe.source.type=pcap", "probe.source.pcap.file=\"" + capture.path() + "\"",
                    "probe.sink.type=kafka", "probe.sink.kafka.topic=metrics",
                    "probe.sink.kafka.producer.bootstrap.servers=\"" + broker.bootstrapServers() + "\"",
                    "probe.transmit.workers-per-ring=2", "probe.receive.idle-strategy=sleep",
                    "probe.transmit.idle-strategy=sleep", "probe.stats.interval=0s", "probe.metrics.port=" + port),
                    plugins), plugins, null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            final AtomicReference<HttpResponse<String>> metrics = new AtomicReference<>();
            final AtomicReference<HttpResponse<String>> health = new AtomicReference<>();
            final AtomicReference<HttpResponse<String>> ready = new AtomicReference<>();
            run.onFinish(result -> {
                metrics.set(get(port, "/metrics"));
                health.set(get(port, "/health"));
                ready.set(get(port, "/ready"));
            });
            final ProbeRun.Result result = run.execute();
            assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome(), String.valueOf(result.error()));
            assertEquals(0, result.exitCode());
            assertEquals(capture.packets(), Release.records(broker, "metrics"), "every packet is a record");

            assertEquals(200, metrics.get().statusCode());
            assertTrue(metrics.get().headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            final Map<String, Double> m = parse(metrics.get().body());
            final Snapshot s = result.snapshot();
            assertEquals(capture.packets(), s.captured());
            assertEquals(capture.packets(), value(m, "probe_captured_packets_total"));
            assertEquals(capture.packets(), value(m, "probe_delivered_packets_total"));
            assertEquals(capture.bytes(), value(m, "probe_delivered_bytes_total"), "the capture's bytes, all delivered");
            assertEquals(capture.packets(), value(m, "probe_received_packets_total{queue=\"0\"}"));
            assertEquals(capture.packets(), value(m, "probe_source_detail{name=\"packets\"}"), "the pcap source's own count");
            assertEquals(0, value(m, "probe_in_flight_packets"));
            s.dropped().forEach((reason, n) -> assertEquals(0, value(m, "probe_dropped_packets_total{reason=\"" + reason + "\"}"), reason));
            long sent = 0;
            for (final Snapshot.Worker w : s.queues().get(0).workers()) {
                final String worker = "{worker=\"" + w.name() + "\"}";
                assertEquals(w.sent(), value(m, "probe_sink_sent_packets_total" + worker));
                assertEquals(w.delivered(), value(m, "probe_sink_delivered_packets_total" + worker));
                sent += w.sent();
                // Whatever the sink reports of itself (the Kafka producer's metrics); their values move with time.
                w.details().keySet().forEach(name -> assertNotNull(
                        m.get("probe_sink_detail{name=\"" + name + "\",worker=\"" + w.name() + "\"}"),
                        "sink detail " + name + " of " + w.name()));
            }
            assertEquals(2, s.queues().get(0).workers().size());
            assertEquals(capture.packets(), sent);
            assertEquals(200, health.get().statusCode());
            assertEquals(503, ready.get().statusCode(), "a finished run is not ready");

            final Release.Outcome promtool = promtool(metrics.get().body(), "check", "metrics");
            assertEquals(new Release.Outcome(0, "", ""), promtool, "promtool check metrics finds no problem");
        }
    }

    @Test
    void theShippedAlertRulesAreValidFireWhenTheyShouldAndAreTheReadmes(@TempDir final Path folder) throws Exception {
        NativeRequirement.require(Files.isExecutable(PROMTOOL), "promtool is not installed (Debian package prometheus)");
        final Path rules = Path.of("src/main/dist/config/prometheus/probe-alerts.yml");
        Files.copy(rules, folder.resolve("probe-alerts.yml"));
        try (InputStream test = MetricsScrapeTest.class.getResourceAsStream("/prometheus/probe-alerts-test.yml")) {
            Files.copy(test, folder.resolve("probe-alerts-test.yml"));
        }
        final Release.Outcome check = Release.run(folder, Map.of(), List.of(PROMTOOL.toString(), "check", "rules", "probe-alerts.yml"));
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.stdout().contains("SUCCESS: 3 rules found"), check.stdout());
        final Release.Outcome test = Release.run(folder, Map.of(), List.of(PROMTOOL.toString(), "test", "rules", "probe-alerts-test.yml"));
        assertEquals(0, test.exit(), test.toString());

        final String shipped = Files.readString(rules);
        final String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(shipped.substring(shipped.indexOf("groups:"))), "README.md shows the shipped alert rules");
    }

    private static Release.Outcome promtool(final String input, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        final Path in = Files.createTempFile("scrape-", ".txt");
        final Path out = Files.createTempFile("promtool-", ".out");
        try {
            Files.writeString(in, input);
            final Process p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool ended");
            return new Release.Outcome(p.exitValue(), Files.readString(out), "");
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    private static HttpResponse<String> get(final int port, final String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        }
    }

    /** The value of a series that must exist, as a count. */
    private static long value(final Map<String, Double> samples, final String series) {
        final Double value = samples.get(series);
        assertNotNull(value, "no series " + series + " in the scrape");
        assertEquals(Math.rint(value), value, series + " is a whole number");
        return value.longValue();
    }

    /** Each sample of a Prometheus text exposition, keyed by name and labels as written. */
    private static Map<String, Double> parse(final String exposition) {
        final Map<String, Double> samples = new LinkedHashMap<>();
        for (final String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                final int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
