package dev.probe.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how long one cache line takes to go from one core to another and back on this machine: two
 * threads hand a counter back and forth through one shared line, in samples of {@value #ROUND_TRIPS}
 * round trips spread over the run. A pipeline that hands every packet from a receive core to a transmit
 * core pays this on every line it shares, so {@code bin/bench} records it beside the receive-path
 * comparison. The threads are not pinned, like the pipeline's workers at the defaults. On a virtual
 * machine the host may place the two vCPUs close (a shared cache) or far apart and move them while the
 * run goes on: the spread between the median and the 90th percentile shows it.
 *
 * <p>{@code java -cp benchmarks.jar dev.probe.bench.harness.CrossCoreLatency [--seconds S] [--out FILE]}
 * prints one line per sample and a summary, and writes the samples and summary as JSON.
 */
public final class CrossCoreLatency {
    private static final int ROUND_TRIPS = 200_000;

    private CrossCoreLatency() {
    }

    public static void main(final String[] args) throws Exception {
        double seconds = 5;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            final String value = i + 1 < args.length ? args[i + 1] : null;
            if (args[i].equals("--seconds") && value != null && value.matches("\\d+(\\.\\d+)?")) {
                seconds = Double.parseDouble(value);
            } else if (args[i].equals("--out") && value != null) {
                out = Path.of(value);
            } else {
                System.err.println("CrossCoreLatency: bad argument " + args[i] + (value == null ? "" : " " + value)
                        + " (expected --seconds S with S a positive number, --out FILE)");
                System.exit(2);
            }
        }
        if (Runtime.getRuntime().availableProcessors() < 2) {
            System.out.println("SKIPPED: cross-core latency needs 2 cores");
            return;
        }
        final List<Double> samples = new ArrayList<>();
        final long end = System.nanoTime() + (long) (seconds * 1e9);
        sample(); // warm-up: JIT
        while (System.nanoTime() < end) {
            final double ns = sample();
            samples.add(ns);
            System.out.printf(Locale.ROOT, "cross-core: sample %d round trip %.1f ns%n", samples.size(), ns);
            Thread.sleep(100);
        }
        final double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final double min = sorted[0];
        final double median = sorted[sorted.length / 2];
        final double p90 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.9 * sorted.length) - 1)];
        final double max = sorted[sorted.length - 1];
        System.out.printf(Locale.ROOT, "cross-core: %d samples, round trip min %.1f ns, median %.1f ns, 90th percentile"
                + " %.1f ns, max %.1f ns%n", sorted.length, min, median, p90, max);
        if (out != null) {
            final StringBuilder json = new StringBuilder("{\"roundTripNs\":[");
            for (int i = 0; i < samples.size(); i++) {
                json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", samples.get(i)));
            }
            json.append(String.format(Locale.ROOT, "],\"minNs\":%.1f,\"medianNs\":%.1f,\"p90Ns\":%.1f,\"maxNs\":%.1f}%n",
                    min, median, p90, max));
            Files.writeString(out, json.toString());
        }
    }

    /** One sample: the mean round trip in nanoseconds over {@link #ROUND_TRIPS} hand-overs each way. */
    private static double sample() throws InterruptedException {
        final AtomicLong line = new AtomicLong();
        final Thread pong = Thread.ofPlatform().name("cross-core-pong").start(() -> {
            for (long i = 0; i < ROUND_TRIPS; i++) {
                final long odd = 2 * i + 1;
                while (line.getAcquire() != odd) {
                    Thread.onSpinWait();
                }
                line.setRelease(odd + 1);
            }
        });
        final long start = System.nanoTime();
        for (long i = 0; i < ROUND_TRIPS; i++) {
            line.setRelease(2 * i + 1);
            final long even = 2 * i + 2;
            while (line.getAcquire() != even) {
                Thread.onSpinWait();
            }
        }
        final long elapsed = System.nanoTime() - start;
        pong.join();
        return (double) elapsed / ROUND_TRIPS;
    }
}
