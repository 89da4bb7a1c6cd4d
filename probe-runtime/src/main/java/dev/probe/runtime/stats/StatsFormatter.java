package dev.probe.runtime.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns snapshots into the human-readable stats lines, one per stage, with rates since the previous
 * snapshot. Used by the stats thread only.
 */
public final class StatsFormatter {
    private Snapshot previous;

    /** The lines for {@code now}: source, receive, ring, sink, total. */
    public List<String> lines(final Snapshot now) {
        final Snapshot before = previous;
        previous = now;
        final double seconds = before == null ? now.elapsedNanos() / 1e9
                : Math.max(1e-9, (now.elapsedNanos() - before.elapsedNanos()) / 1e9);
        final List<String> lines = new ArrayList<>();
        long bursts = 0, full = 0, repeats = 0, ringFull = 0, depth = 0, enqueued = 0;
        for (final Snapshot.Queue q : now.queues()) {
            bursts += q.bursts();
            full += q.fullBursts();
            repeats += q.repeats();
            ringFull += q.ringFull();
            depth += q.ringDepth();
            enqueued += q.ringEnqueued();
        }
        long sent = 0, failed = 0, sinkInFlight = 0;
        for (final Snapshot.Queue q : now.queues()) {
            for (final Snapshot.Worker w : q.workers()) {
                sent += w.sent();
                failed += w.failedTotal();
                sinkInFlight += w.sinkInFlight();
            }
        }
        final long captured = now.captured();
        final long delivered = now.delivered();
        lines.add(String.format(Locale.ROOT, "source   captured %,d (%s/s) source-drops %s %s",
                captured, rate(captured, before == null ? 0 : before.captured(), seconds), compact(now.sourceDrops()),
                compact(now.sourceDetails())));
        final StringBuilder perQueue = new StringBuilder();
        if (now.queues().size() > 1) {
            for (final Snapshot.Queue q : now.queues()) {
                perQueue.append(perQueue.length() == 0 ? " (" : ", ").append(String.format(Locale.ROOT, "q%d %,d", q.id(), q.packets()));
            }
            perQueue.append(')');
        }
        lines.add(String.format(Locale.ROOT, "receive  packets %,d%s bursts %,d full %,d repeats %,d",
                now.received(), perQueue, bursts, full, repeats));
        lines.add(String.format(Locale.ROOT, "ring     enqueued %,d ring-full %,d depth %,d", enqueued, ringFull, depth));
        lines.add(String.format(Locale.ROOT, "sink     sent %,d delivered %,d (%s/s, %s) failed %,d %s in-flight %,d",
                sent, delivered, rate(delivered, before == null ? 0 : before.delivered(), seconds),
                bitRate(now.bytesDelivered() - (before == null ? 0 : before.bytesDelivered()), seconds),
                failed, compact(failures(now)), sinkInFlight));
        lines.add(String.format(Locale.ROOT, "total    captured %,d = delivered %,d + dropped %,d + in-flight %,d",
                captured, delivered, now.droppedTotal(), now.inFlight()));
        return lines;
    }

    private static Map<String, Long> failures(final Snapshot now) {
        final Map<String, Long> all = now.dropped();
        all.keySet().removeIf(k -> !k.startsWith("sink-"));
        return all;
    }

    private static String compact(final Map<String, Long> counts) {
        final StringBuilder sb = new StringBuilder("{");
        counts.forEach((k, v) -> {
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v);
            }
        });
        return sb.append('}').toString();
    }

    private static String rate(final long now, final long before, final double seconds) {
        final double r = (now - before) / seconds;
        if (r >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", r / 1e6);
        }
        if (r >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", r / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", r);
    }

    private static String bitRate(final long bytes, final double seconds) {
        final double bits = bytes * 8 / seconds;
        if (bits >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bits / 1e9);
        }
        return String.format(Locale.ROOT, "%.1f Mbit/s", bits / 1e6);
    }
}
