package dev.probe.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the packets a destination holds with those sent, as multisets (destinations need not keep
 * the order: Kafka partitions, one file per worker), at the time resolution and with the wire lengths
 * the sink keeps. Thread-safe: holds no state.
 */
final class PacketComparison {
    private static final int SHOWN = 5;

    private PacketComparison() {
    }

    /**
     * What differs between {@code sent} and {@code received}, one line each; empty when they hold the same
     * packets the same number of times.
     *
     * @param resolution the time resolution the sink keeps; {@link Duration#ZERO} when it keeps no time
     */
    static List<String> differences(final List<CaptureFile.Record> sent, final List<Received> received,
                                    final Duration resolution, final boolean keepsWireLength) {
        final Map<String, Integer> balance = new TreeMap<>();
        for (final CaptureFile.Record r : sent) {
            balance.merge(key(r.timestampNanos(), keepsWireLength ? r.wireLength() : r.capturedLength(), r.data(), resolution), 1, Integer::sum);
        }
        int poisoned = 0;
        for (final Received r : received) {
            if (TestBatch.poisoned(r.data())) {
                poisoned++;
            }
            balance.merge(key(r.timestampNanos(), r.wireLength(), r.data(), resolution), -1, Integer::sum);
        }
        final List<String> missing = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        balance.forEach((key, n) -> {
            for (int i = 0; i < Math.abs(n); i++) {
                (n > 0 ? missing : unexpected).add(key);
            }
        });
        final List<String> problems = new ArrayList<>();
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return problems;
        }
        problems.add("sent " + sent.size() + " packets, the destination holds " + received.size() + ": "
                + missing.size() + " sent packet(s) missing, " + unexpected.size() + " held packet(s) never sent");
        if (poisoned > 0) {
            problems.add(poisoned + " held packet(s) are all 0x" + HexFormat.of().toHexDigits(TestBatch.POISON)
                    + ", the bytes of released packet memory: the sink kept views of the batch (data(i)) past send() instead of copying");
        }
        missing.stream().limit(SHOWN).forEach(k -> problems.add("missing:    " + k));
        unexpected.stream().limit(SHOWN).forEach(k -> problems.add("never sent: " + k));
        return problems;
    }

    /**
     * What the destination holds beyond {@code sent}: packets that were never sent (after a close that
     * dropped some, the destination may hold fewer, never others).
     */
    static List<String> notSent(final List<CaptureFile.Record> sent, final List<Received> received,
                                final Duration resolution, final boolean keepsWireLength) {
        final Map<String, Integer> balance = new TreeMap<>();
        for (final CaptureFile.Record r : sent) {
            balance.merge(key(r.timestampNanos(), keepsWireLength ? r.wireLength() : r.capturedLength(), r.data(), resolution), 1, Integer::sum);
        }
        final List<String> problems = new ArrayList<>();
        for (final Received r : received) {
            final String key = key(r.timestampNanos(), r.wireLength(), r.data(), resolution);
            if (balance.merge(key, -1, Integer::sum) < 0 && problems.size() < SHOWN) {
                problems.add("never sent: " + key + (TestBatch.poisoned(r.data()) ? " (released memory: the sink kept a view instead of copying)" : ""));
            }
        }
        return problems;
    }

    /** {@code time <ns> wire <n> bytes <n> <first bytes in hex>... sha256 <prefix>}, comparable as text. */
    private static String key(final long timestampNanos, final int wireLength, final byte[] data, final Duration resolution) {
        final long step = resolution.toNanos();
        final String time = step == 0 ? "-" : Long.toString(Math.floorDiv(timestampNanos, step) * step);
        final String sha = CaptureFile.framesSha256(List.of(data)).substring(0, 16);
        return "time " + time + " wire " + wireLength + " bytes " + data.length + " "
                + HexFormat.of().formatHex(data, 0, Math.min(16, data.length)) + (data.length > 16 ? "..." : "") + " sha256 " + sha;
    }
}
