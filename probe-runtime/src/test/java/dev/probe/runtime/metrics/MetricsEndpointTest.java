package dev.probe.runtime.metrics;

import dev.probe.runtime.ProbeRun;
import dev.probe.runtime.config.ConfigLoader;
import dev.probe.runtime.plugin.Plugins;
import dev.probe.runtime.stats.Snapshot;
import dev.probe.sink.discard.DiscardSinkProvider;
import dev.probe.source.synthetic.SyntheticSourceProvider;
import dev.probe.spi.SinkFailure;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics endpoint of a real run, scraped over HTTP: {@code /metrics} reports exactly the counters of
 * the summary, {@code /health} answers while the process runs, and {@code /ready} follows the pipeline
 * (starting, delivering, stalled, delivering again, stopping).
 */
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer of the endpoint. */
    record Answer(int status, String body) {
    }

    @Test
    void aScrapeAfterTheEndReportsExactlyTheSummarysCounters() throws Exception {
        final int port = freePort();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final ProbeRun run = run(port, List.of(new DiscardSinkProvider()), output, "probe.sink.type=discard",
                "probe.source.synthetic.packets=20000", "probe.source.synthetic.queues=2",
                "probe.transmit.workers-per-ring=2", "probe.transmit.ring-size=256");
        final AtomicReference<Answer> metrics = new AtomicReference<>();
        final AtomicReference<Answer> health = new AtomicReference<>();
        final AtomicReference<Answer> ready = new AtomicReference<>();
        run.onFinish(result -> {
            metrics.set(get(port, "/metrics"));
            health.set(get(port, "/health"));
            ready.set(get(port, "/ready"));
        });
        final ProbeRun.Result result = run.execute();
        assertEquals(ProbeRun.Outcome.END_OF_INPUT, result.outcome());
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("probe: metrics at http://127.0.0.1:" + port + "/metrics"),
                output.toString(StandardCharsets.UTF_8));

        assertEquals(200, metrics.get().status());
        final Map<String, Double> m = parse(metrics.get().body());
        final Snapshot s = result.snapshot();
        assertEquals(20_000, s.captured());
        assertEquals(s.captured(), value(m, "probe_captured_packets_total"));
        assertEquals(s.delivered(), value(m, "probe_delivered_packets_total"));
        assertEquals(s.bytesDelivered(), value(m, "probe_delivered_bytes_total"));
        assertEquals(0, value(m, "probe_in_flight_packets"));
        s.dropped().forEach((reason, n) -> assertEquals(n, value(m, "probe_dropped_packets_total{reason=\"" + reason + "\"}"), reason));
        assertEquals(2, s.queues().size());
        for (final Snapshot.Queue q : s.queues()) {
            final String queue = "{queue=\"" + q.id() + "\"}";
            assertTrue(q.packets() > 0);
            assertEquals(q.packets(), value(m, "probe_received_packets_total" + queue));
            assertEquals(q.bursts(), value(m, "probe_receive_bursts_total" + queue));
            assertEquals(q.fullBursts(), value(m, "probe_receive_full_bursts_total" + queue));
            assertEquals(q.repeats(), value(m, "probe_receive_repeats_total" + queue));
            assertEquals(q.ringEnqueued(), value(m, "probe_ring_enqueued_packets_total" + queue));
            assertEquals(q.ringFull(), value(m, "probe_ring_full_packets_total" + queue));
            assertEquals(0, value(m, "probe_ring_depth_packets" + queue));
            assertEquals(256, value(m, "probe_ring_capacity_packets" + queue));
            assertEquals(2, q.workers().size());
            for (final Snapshot.Worker w : q.workers()) {
                final String worker = "{worker=\"" + w.name() + "\"}";
                assertEquals(w.sent(), value(m, "probe_sink_sent_packets_total" + worker));
                assertEquals(w.delivered(), value(m, "probe_sink_delivered_packets_total" + worker));
                assertEquals(w.bytesDelivered(), value(m, "probe_sink_delivered_bytes_total" + worker));
                assertEquals(0, value(m, "probe_sink_in_flight_packets" + worker));
                for (final SinkFailure reason : SinkFailure.values()) {
                    assertEquals(0, value(m, "probe_sink_failed_packets_total{reason=\"" + reason.key() + "\",worker=\"" + w.name() + "\"}"));
                }
            }
        }
        assertEquals(0, value(m, "probe_ready"), "a finished run is not ready");
        assertNotNull(m.get("jvm_memory_used_bytes{area=\"heap\"}"), "JVM metrics are served too");

        assertEquals(new Answer(200, "alive\n"), health.get());
        assertEquals(503, ready.get().status());
        assertTrue(ready.get().body().startsWith("stopping"), ready.get().body());
        assertThrows(ConnectException.class, () -> send(port, "/health"), "the endpoint closes with the run");
    }

    @Test
    void readyFollowsThePipelineFromConnectingToDeliveringToStalledAndBack() throws Exception {
        final int port = freePort();
        final GatedSinkProvider sink = new GatedSinkProvider();
        final ProbeRun run = run(port, List.of(sink), new ByteArrayOutputStream(), "probe.sink.type=gated",
                "probe.transmit.ring-size=64", "probe.metrics.delivery-stall-timeout=200ms");
        final CompletableFuture<ProbeRun.Result> result = CompletableFuture.supplyAsync(() -> {
            try {
                return run.execute();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            awaitAnswer(port, "/health", 200);
            final Answer connecting = get(port, "/ready");
            assertEquals(503, connecting.status(), "not ready while the sink connects");
            assertTrue(connecting.body().startsWith("starting"), connecting.body());
            final Map<String, Double> early = parse(get(port, "/metrics").body());
            assertEquals(0, value(early, "probe_ready"));
            assertFalse(early.containsKey("probe_captured_packets_total"), "no pipeline yet, no pipeline counters");

            sink.connect.countDown();
            assertTrue(run.awaitStarted(Duration.ofSeconds(30)));
            awaitAnswer(port, "/ready", 200);

            sink.delivering = false;
            final Answer stalled = awaitAnswer(port, "/ready", 503);
            assertTrue(stalled.body().startsWith("stalled: ") && stalled.body().contains("probe.metrics.delivery-stall-timeout 200ms"),
                    stalled.body());
            final Map<String, Double> m = parse(get(port, "/metrics").body());
            assertEquals(0, value(m, "probe_ready"));
            assertTrue(m.get("probe_in_flight_packets") > 0, "packets wait in flight");
            assertTrue(m.get("probe_sink_detail{name=\"pending\",worker=\"tx-0-0\"}") > 0, "the sink's own details are served");

            sink.delivering = true;
            awaitAnswer(port, "/ready", 200);
        } finally {
            sink.connect.countDown();
            run.requestStop();
        }
        final ProbeRun.Result r = result.get(60, TimeUnit.SECONDS);
        assertEquals(ProbeRun.Outcome.STOP_REQUESTED, r.outcome());
        assertEquals(0, r.snapshot().droppedTotal(), "a stall of a source that waits loses nothing");
        assertEquals(r.snapshot().captured(), r.snapshot().delivered());
    }

    @Test
    void aPortInUseEndsTheRunWithOneLineNamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final ProbeRun run = run(taken.getLocalPort(), List.of(new DiscardSinkProvider()), new ByteArrayOutputStream(),
                    "probe.sink.type=discard");
            final ProbeRun.Result result = run.execute();
            assertEquals(ProbeRun.Outcome.STARTUP_FAILED, result.outcome());
            assertEquals(2, result.exitCode());
            assertEquals("Cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use "
                    + "(probe.metrics.port, probe.metrics.host)", result.error());
        }
    }

    private static ProbeRun run(final int port, final List<? extends dev.probe.spi.SinkProvider> sinks,
                                final ByteArrayOutputStream output, final String... settings) {
        final List<String> all = new ArrayList<>(List.of("probe.source.type=synthetic", "probe.stats.interval=0s",
                "probe.receive.idle-strategy=sleep", "probe.transmit.idle-strategy=sleep", "probe.metrics.port=" + port));
        all.addAll(List.of(settings));
        final Plugins plugins = Plugins.of(List.of(new SyntheticSourceProvider()), sinks);
        return new ProbeRun(ConfigLoader.load(null, all, plugins), plugins, null,
                new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    /** Asks until the endpoint answers {@code path} with {@code status}, for up to 30 s. */
    private static Answer awaitAnswer(final int port, final String path, final int status) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Answer last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                last = send(port, path);
                if (last.status() == status) {
                    return last;
                }
            } catch (IOException notYetListening) {
                last = new Answer(-1, notYetListening.toString());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError(path + " did not answer " + status + " within 30 s; last answer: " + last);
    }

    static Answer get(final int port, final String path) {
        try {
            return send(port, path);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        }
    }

    private static Answer send(final int port, final String path) throws IOException, InterruptedException {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /** The value of a series that must exist, as a count. */
    static long value(final Map<String, Double> samples, final String series) {
        final Double value = samples.get(series);
        assertNotNull(value, "no series " + series + " in the scrape");
        assertEquals(Math.rint(value), value, series + " is a whole number");
        return value.longValue();
    }

    /** Each sample of a Prometheus text exposition, keyed by name and labels as written. */
    static Map<String, Double> parse(final String exposition) {
        final Map<String, Double> samples = new LinkedHashMap<>();
        for (final String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
