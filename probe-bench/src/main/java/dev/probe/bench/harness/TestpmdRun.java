package dev.probe.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DPDK's own {@code dpdk-testpmd --forward-mode=rxonly}, the yardstick of the receive path: reads the
 * same kind of {@code net_pcap} port the pipeline benchmark reads ({@code rx_pcap} of 1024 frames of
 * one size, {@code infinite_rx=1}, no hugepages), with DPDK's defaults otherwise (burst 32, mempool
 * cache 250; frees each mbuf on the lcore that received it). It prints Rx-pps every second; the rate is
 * the mean of the per-second figures after {@code --warmup} seconds, over {@code --window} seconds.
 * Writes one JSON object to {@code --out}; exits 1 when testpmd is missing or fails.
 *
 * <p>Arguments: {@code --out FILE --frame-size 64 --warmup 10 --window 20}.
 */
public final class TestpmdRun {
    private static final Pattern RX_PPS = Pattern.compile("Rx-pps:\\s+(\\d+)");
    private static final int FRAMES = 1024;

    private TestpmdRun() {
    }

    /** See the class comment. */
    public static void main(final String[] args) throws IOException, InterruptedException {
        String out = "bench-results/testpmd.json";
        int frameSize = 64;
        int warmup = 10;
        int window = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--out" -> out = args[i + 1];
                case "--frame-size" -> frameSize = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected: --out, --frame-size, --warmup, --window)");
            }
        }
        final Path file = PcapFrames.ensure(FRAMES, frameSize);
        final String vdev = "net_pcap0,rx_pcap=" + file + ",infinite_rx=1";
        final List<String> cmd = List.of("stdbuf", "-oL", "dpdk-testpmd", "--no-huge", "-m", "1024", "--no-pci",
                "--no-telemetry", "--file-prefix", "probe-bench-testpmd-" + ProcessHandle.current().pid(),
                "--log-level", "*:warning", "-l", "0,1", "--vdev", vdev, "--",
                "--forward-mode=rxonly", "--stats-period", "1", "--total-num-mbufs=16384", "--no-lsc-interrupt");
        final Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.out.println("SKIPPED: dpdk-testpmd cannot be started (" + e.getMessage()
                    + "); install Debian's dpdk-dev, which ships it");
            System.exit(1);
            return;
        }
        final List<Long> rates = new ArrayList<>();
        final List<String> tail = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                tail.add(line);
                if (tail.size() > 40) {
                    tail.remove(0);
                }
                final Matcher m = RX_PPS.matcher(line);
                if (m.find()) {
                    rates.add(Long.parseLong(m.group(1)));
                    if (rates.size() >= warmup + window) {
                        p.destroy(); // SIGTERM: testpmd stops its port and exits
                        break;
                    }
                }
            }
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (rates.size() < warmup + window) {
            System.out.println("SKIPPED: dpdk-testpmd ended after " + rates.size() + " of " + (warmup + window)
                    + " seconds of statistics; its last lines:");
            tail.forEach(l -> System.out.println("  " + l));
            System.exit(1);
        }
        final List<Long> measured = rates.subList(warmup, warmup + window);
        final double mean = measured.stream().mapToLong(Long::longValue).average().orElse(0);
        final String json = String.format(Locale.ROOT,
                "{\"tool\": \"dpdk-testpmd --forward-mode=rxonly\", \"vdev\": \"%s\", \"frameSize\": %d, \"warmupSeconds\": %d,"
                        + " \"windowSeconds\": %d, \"pps\": %.1f, \"perSecond\": %s}%n",
                vdev.replace("\\", "\\\\").replace("\"", "\\\""), frameSize, warmup, window, mean, measured);
        Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
        Files.writeString(Path.of(out), json);
        System.out.println(String.format(Locale.ROOT, "testpmd: rxonly %.2f Mpps (mean of %d s after %d s)", mean / 1e6,
                window, warmup));
    }
}
