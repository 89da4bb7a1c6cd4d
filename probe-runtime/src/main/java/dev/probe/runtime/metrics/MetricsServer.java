package dev.probe.runtime.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probe.api.ProbeException;
import dev.probe.runtime.stats.Snapshot;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The metrics endpoint: an HTTP server on {@code probe.metrics.host}:{@code probe.metrics.port} serving
 * {@code /metrics} (the probe's counters and the JVM's, exposed by the Prometheus client's own handler:
 * text format, OpenMetrics on request, gzip), {@code /health} (200 while the process runs) and
 * {@code /ready} (200 when {@link Readiness} says ready, else 503, with the reason as the body). Requests
 * are served by two daemon threads of its own; the capture threads never see a request.
 */
public final class MetricsServer implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI url;

    private MetricsServer(final HttpServer server, final ExecutorService executor, final URI url) {
        this.server = server;
        this.executor = executor;
        this.url = url;
    }

    /**
     * Binds and starts serving. Called once by the run's control thread.
     *
     * @param snapshots the pipeline's current counters, or null before the pipeline was built
     * @param version the probe's version, for {@code probe_build_info}
     * @throws ProbeException when the host does not resolve or the port cannot be bound, naming the setting
     */
    public static MetricsServer start(final MetricsSettings settings, final Readiness readiness,
                                      final Supplier<Snapshot> snapshots, final String version) {
        final InetAddress address;
        try {
            address = InetAddress.getByName(settings.host());
        } catch (UnknownHostException e) {
            throw new ProbeException("Invalid value " + settings.host() + " for probe.metrics.host: expected an address "
                    + "or a host name that resolves, such as 127.0.0.1 or 0.0.0.0");
        }
        final PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        registry.register(new ProbeMetrics(snapshots, readiness, version));

        final HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, settings.port()), 16);
        } catch (IOException e) {
            throw new ProbeException("Cannot serve metrics on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage() + " (probe.metrics.port, probe.metrics.host)");
        }
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/health", exchange -> {
            if (exact(exchange, "/health")) {
                respond(exchange, 200, "alive\n");
            }
        });
        server.createContext("/ready", exchange -> {
            if (exact(exchange, "/ready")) {
                final Readiness.Status status = readiness.status(System.nanoTime());
                respond(exchange, status.ready() ? 200 : 503, status.reason() + "\n");
            }
        });
        server.createContext("/", exchange -> respond(exchange, 404, "not found: the probe serves /metrics, /health and /ready\n"));
        final ExecutorService executor = Executors.newFixedThreadPool(2, task -> {
            final Thread thread = new Thread(task, "metrics-http-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        final String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return new MetricsServer(server, executor, URI.create("http://" + host + ":" + server.getAddress().getPort() + "/"));
    }

    /** The endpoint's base address, such as {@code http://127.0.0.1:9400/}. */
    public URI url() {
        return url;
    }

    /** Stops serving at once and frees the port. Control thread; once. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Answers 404 for anything under the context but the path itself (such as {@code /ready/x}). */
    private static boolean exact(final HttpExchange exchange, final String path) throws IOException {
        if (exchange.getRequestURI().getPath().equals(path)) {
            return true;
        }
        respond(exchange, 404, "not found: the probe serves /metrics, /health and /ready\n");
        return false;
    }

    private static void respond(final HttpExchange exchange, final int status, final String body) throws IOException {
        try (exchange) {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
