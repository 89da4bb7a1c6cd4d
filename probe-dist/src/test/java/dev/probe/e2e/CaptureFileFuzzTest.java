package dev.probe.e2e;

import dev.probe.broker.EmbeddedKafkaBroker;
import dev.probe.broker.KafkaTestSupport;
import dev.probe.testkit.SharedCaptures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged capture files: at least 500 mutants of the shared captures (pcap and pcapng), made from a
 * fixed seed, each replayed by {@code probe run -r} in-process into the discard sink, six more into a
 * real broker. Each run ends, within a bound, with exit 0 or 2 and at most one error line and no stack
 * trace; and every packet libpcap itself reads before the damage is captured and delivered, no more
 * (byte for byte in the broker runs).
 *
 * <p>The reference is libpcap read directly ({@link Libpcap}: record by record until its first error),
 * since a damaged file means what libpcap makes of it. The probe may stop earlier only with a damage
 * report of its own (a time stamp past 2262, a record longer than libpcap's cut whose bytes are not
 * where they should be), which then names how many packets came before.
 */
class CaptureFileFuzzTest {
    private static final long SEED = 0x5EED_CAB1EL;
    private static final int PER_CAPTURE = 46;
    private static final long BOUND_SECONDS = 20;
    private static final List<String> SEEDS = List.of("dns_udp_2.pcap", "802.1ad_QinQ.pcap", "EIGRP_ipv6.pcap",
            "isup.pcap", "pptp.pcap", "vrrp.pcap", "various_gre.pcap", "babel_update_oobr.pcap", "geneve.pcap",
            "OSPFv2_Capture_FINAL.pcapng", "time_2106_overflow.pcapng", "of13_ericsson.pcapng");
    private static final Pattern DAMAGED_AFTER = Pattern.compile("is damaged after (\\d+) packets");

    @TempDir
    Path dir;

    private record Reading(boolean opened, List<byte[]> frames, boolean clean, int snaplen) {
    }

    private static Reading libpcap(final Path file) {
        final Libpcap.Reading r = Libpcap.read(file);
        return new Reading(r.opened(), r.frames(), r.clean(), r.snaplen());
    }

    /** One run's outcome. */
    private record Outcome(int exit, List<String> errorLines, String stderr, String summary) {
    }

    private static Outcome probe(final ExecutorService executor, final List<String> args, final Path summary)
            throws Exception {
        final List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--set", "probe.stats.interval=0s", "--set", "probe.receive.idle-strategy=sleep",
                "--set", "probe.transmit.idle-strategy=sleep", "--summary", summary.toString()));
        final Future<Probe.Cli> run = executor.submit(() -> Probe.cli(all.toArray(String[]::new)));
        final Probe.Cli cli;
        try {
            cli = run.get(BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("probe " + all + " did not end within " + BOUND_SECONDS + " s");
        }
        final List<String> errors = cli.stderrLines().stream().filter(l -> !l.startsWith("probe: capturing from ")
                && !l.startsWith("probe: connecting to ") && !l.startsWith("probe: stopped (") && !l.matches("\\S+ (summary|stats) .*")).toList();
        return new Outcome(cli.exit(), errors, cli.stderr(), Files.exists(summary) ? Files.readString(summary) : "");
    }

    /** Null when the run is right for what libpcap reads, else what is wrong. */
    private static String check(final Reading expected, final Outcome run) {
        if (run.stderr().contains("\tat ") || run.stderr().contains("Exception")) {
            return "a stack trace or exception: " + run.stderr();
        }
        if (run.exit() != 0 && run.exit() != 2) {
            return "exit " + run.exit() + ": " + run.errorLines();
        }
        if (run.errorLines().size() != (run.exit() == 0 ? 0 : 1)) {
            return "exit " + run.exit() + " with error lines " + run.errorLines();
        }
        if (run.summary().isEmpty()) {
            return "no summary file";
        }
        if (!expected.opened()) {
            return run.exit() == 2 && run.summary().contains("\"outcome\": \"startup-failed\"") ? null
                    : "libpcap cannot open it, yet exit " + run.exit() + ": " + run.summary();
        }
        final long captured = Probe.json(run.summary(), "captured");
        final long delivered = Probe.json(run.summary(), "delivered");
        if (delivered != captured || Probe.json(run.summary(), "in_flight") != 0) {
            return "captured " + captured + " but delivered " + delivered;
        }
        final int libpcapRead = expected.frames().size();
        if (captured == libpcapRead && run.exit() == (expected.clean() ? 0 : 2)) {
            return null;
        }
        final Matcher own = DAMAGED_AFTER.matcher(run.errorLines().isEmpty() ? "" : run.errorLines().get(0));
        if (run.exit() == 2 && captured < libpcapRead && own.find() && Long.parseLong(own.group(1)) == captured
                && (run.errorLines().get(0).contains("after 2262") || run.errorLines().get(0).contains("do not end where libpcap stands"))) {
            return null; // the probe's own damage report, earlier than libpcap's
        }
        return "libpcap read " + libpcapRead + (expected.clean() ? " to the end" : " then failed") + ", the probe captured "
                + captured + " with exit " + run.exit() + " " + run.errorLines();
    }

    @Test
    void everyDamagedCaptureEndsWithStatus0Or2OneLineAndEveryPacketBeforeTheDamage() throws Exception {
        final Random random = new Random(SEED);
        final List<CaptureMutator.Mutant> mutants = new ArrayList<>();
        for (final String name : SEEDS) {
            mutants.addAll(CaptureMutator.mutate(name, Files.readAllBytes(SharedCaptures.entry(name).path()), PER_CAPTURE, random));
        }
        assertTrue(mutants.size() >= 500, "mutants: " + mutants.size());
        final Map<String, String> failures = new TreeMap<>();
        final Map<String, Integer> outcomes = new TreeMap<>();
        final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
        try {
            for (int i = 0; i < mutants.size(); i++) {
                final CaptureMutator.Mutant mutant = mutants.get(i);
                final Path file = Files.write(dir.resolve("mutant-" + i + (mutant.name().contains(".pcapng") ? ".pcapng" : ".pcap")),
                        mutant.bytes());
                final Reading expected = libpcap(file);
                final Path summary = dir.resolve("summary-" + i + ".json");
                final Outcome run = probe(executor, List.of("run", "-r", file.toString(), "--set", "probe.sink.type=discard"),
                        summary);
                final String problem = check(expected, run);
                if (problem != null) {
                    failures.put(mutant.name() + " (" + mutant.damage() + ")", problem);
                }
                outcomes.merge((run.exit() == 0 ? "exit 0" : "exit 2") + (expected.opened() ? "" : " at open"), 1, Integer::sum);
                if (expected.opened() && Probe.json(run.summary(), "captured") < expected.frames().size()) {
                    outcomes.merge("stopped before libpcap by the probe's own check", 1, Integer::sum);
                }
                Files.delete(file);
                Files.deleteIfExists(summary);
            }
        } finally {
            executor.shutdownNow();
        }
        System.out.println("capture-file fuzzing: " + mutants.size() + " mutants, " + outcomes);
        if (!failures.isEmpty()) {
            final StringBuilder b = new StringBuilder();
            failures.forEach((m, p) -> b.append("\n  ").append(m).append(": ").append(p));
            fail(failures.size() + " of " + mutants.size() + " damaged captures were mishandled (" + outcomes + "):" + b);
        }
        assertTrue(outcomes.getOrDefault("exit 0", 0) > 0 && outcomes.getOrDefault("exit 2", 0) > 0
                && outcomes.getOrDefault("exit 2 at open", 0) > 0, "every kind of ending was met: " + outcomes);
    }

    @Test
    void damagedCapturesSentToARealBrokerArriveByteForByteUpToTheDamage() throws Exception {
        final Random random = new Random(SEED + 1);
        final List<CaptureMutator.Mutant> chosen = new ArrayList<>();
        for (final String name : List.of("vrrp.pcap", "of13_ericsson.pcapng", "OSPFv2_Capture_FINAL.pcapng")) {
            final byte[] original = Files.readAllBytes(SharedCaptures.entry(name).path());
            int taken = 0;
            for (final CaptureMutator.Mutant m : CaptureMutator.mutate(name, original, 40, random)) {
                final Path file = Files.write(dir.resolve("probe-" + chosen.size() + ".bin"), m.bytes());
                final Reading r = libpcap(file);
                // damaged, yet with packets before the damage: the case that matters
                if (r.opened() && !r.clean() && r.frames().size() > 1 && taken < 2) {
                    chosen.add(m);
                    taken++;
                }
                Files.delete(file);
            }
        }
        assertEquals(6, chosen.size(), "damaged mutants with packets before the damage");
        final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
        try (EmbeddedKafkaBroker broker = Probe.broker()) {
            for (int i = 0; i < chosen.size(); i++) {
                final CaptureMutator.Mutant mutant = chosen.get(i);
                final Path file = Files.write(dir.resolve("kafka-" + i + (mutant.name().contains(".pcapng") ? ".pcapng" : ".pcap")),
                        mutant.bytes());
                final Reading expected = libpcap(file);
                final String topic = "fuzz-" + i;
                broker.createTopic(topic, 1);
                final List<String> args = new ArrayList<>(List.of("run", "-r", file.toString()));
                for (final String s : Probe.kafka(broker, topic)) {
                    args.add("--set");
                    args.add(s);
                }
                final Outcome run = probe(executor, args, dir.resolve("kafka-summary-" + i + ".json"));
                final String what = mutant.name() + " (" + mutant.damage() + ")";
                assertEquals(null, check(expected, run), what);
                final long delivered = Probe.json(run.summary(), "delivered");
                final List<ConsumerRecord<byte[], byte[]>> records = KafkaTestSupport.consume(broker.bootstrapServers(),
                        topic, (int) delivered);
                assertEquals(delivered, records.size(), what);
                for (int p = 0; p < records.size(); p++) {
                    final byte[] libpcapFrame = expected.frames().get(p);
                    final byte[] value = records.get(p).value();
                    // libpcap cuts a record at the file's snaplen; the probe restores what the file holds beyond it
                    final boolean same = libpcapFrame.length == expected.snaplen()
                            ? Arrays.equals(libpcapFrame, Arrays.copyOf(value, libpcapFrame.length))
                            : Arrays.equals(libpcapFrame, value);
                    assertTrue(same, what + ": packet " + p + " differs from libpcap's reading");
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void theMutantsAreTheSameForTheSameSeed() throws IOException {
        final byte[] original = Files.readAllBytes(SharedCaptures.entry("vrrp.pcap").path());
        final List<CaptureMutator.Mutant> a = CaptureMutator.mutate("vrrp.pcap", original, 20, new Random(SEED));
        final List<CaptureMutator.Mutant> b = CaptureMutator.mutate("vrrp.pcap", original, 20, new Random(SEED));
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).damage(), b.get(i).damage());
            assertTrue(Arrays.equals(a.get(i).bytes(), b.get(i).bytes()));
        }
    }
}
