package dev.probe.runtime.stats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns snapshots into stats lines, with rates since the previous snapshot, in the format of
 * {@code probe.stats.format}: five text lines (source, receive, ring, sink, total), each starting with an
 * ISO-8601 UTC timestamp, or one JSON object with the same content. Used by one thread at a time (the
 * run's control thread).
 */
public final class StatsFormatter {
    /** Millisecond UTC timestamps of fixed width: {@code 2025-06-01T10:00:05.002Z}. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final StatsFormat format;
    private final java.util.Set<String> shownMessages = new java.util.HashSet<>();
    private Snapshot previous;

    /** @param format text or json */
    public StatsFormatter(final StatsFormat format) {
        this.format = format;
    }

    /**
     * The stats lines for {@code now}, taken at {@code time}; rates are since the previous call. The first
     * error message behind a drop reason ({@code sink-other: InvalidTimestampException: ...}) is shown
     * once, in the first lines after it appeared.
     */
    public List<String> stats(final Instant time, final Snapshot now) {
        final Map<String, String> messages = new LinkedHashMap<>(now.dropMessages());
        messages.keySet().removeIf(reason -> !shownMessages.add(reason));
        final Figures f = Figures.of(previous, now, messages);
        previous = now;
        return format == StatsFormat.JSON ? List.of(f.json(time, "stats", null))
                : f.text(TIME.format(time) + " stats ");
    }

    /**
     * The final summary of a run: the same content as the stats lines, rates averaged over the whole run;
     * the JSON object also names the outcome and the elapsed time.
     *
     * @param outcome how the run ended, such as {@code end-of-input}
     */
    public static List<String> summary(final StatsFormat format, final Instant time, final Snapshot snapshot,
                                       final String outcome) {
        final Figures f = Figures.of(null, snapshot, snapshot.dropMessages());
        return format == StatsFormat.JSON ? List.of(f.json(time, "summary", outcome))
                : f.text(TIME.format(time) + " summary ");
    }

    /** Everything a stats line shows, computed once for both formats. */
    private record Figures(Snapshot now, double seconds, long captured, double capturedRate, long received,
                           Map<String, Long> perQueue, long bursts, long fullBursts, long repeats, long enqueued,
                           long ringFull, long depth, long sent, long delivered, double deliveredRate,
                           double deliveredBits, long failed, Map<String, Long> failures, long sinkInFlight,
                           long dropped, long inFlight, Map<String, String> messages) {

        static Figures of(final Snapshot before, final Snapshot now, final Map<String, String> messages) {
            final double seconds = before == null ? Math.max(1e-9, now.elapsedNanos() / 1e9)
                    : Math.max(1e-9, (now.elapsedNanos() - before.elapsedNanos()) / 1e9);
            long bursts = 0, full = 0, repeats = 0, ringFull = 0, depth = 0, enqueued = 0;
            final Map<String, Long> perQueue = new LinkedHashMap<>();
            for (final Snapshot.Queue q : now.queues()) {
                bursts += q.bursts();
                full += q.fullBursts();
                repeats += q.repeats();
                ringFull += q.ringFull();
                depth += q.ringDepth();
                enqueued += q.ringEnqueued();
                perQueue.put(String.valueOf(q.id()), q.packets());
            }
            long sent = 0, failed = 0, sinkInFlight = 0;
            for (final Snapshot.Queue q : now.queues()) {
                for (final Snapshot.Worker w : q.workers()) {
                    sent += w.sent();
                    failed += w.failedTotal();
                    sinkInFlight += w.sinkInFlight();
                }
            }
            final Map<String, Long> failures = now.dropped();
            failures.keySet().removeIf(k -> !k.startsWith("sink-"));
            final long captured = now.captured();
            final long delivered = now.delivered();
            return new Figures(now, seconds, captured, (captured - (before == null ? 0 : before.captured())) / seconds,
                    now.received(), perQueue, bursts, full, repeats, enqueued, ringFull, depth, sent, delivered,
                    (delivered - (before == null ? 0 : before.delivered())) / seconds,
                    (now.bytesDelivered() - (before == null ? 0 : before.bytesDelivered())) * 8 / seconds,
                    failed, nonZero(failures), sinkInFlight, now.droppedTotal(), now.inFlight(), messages);
        }

        List<String> text(final String prefix) {
            final List<String> lines = new ArrayList<>();
            lines.add(prefix + String.format(Locale.ROOT, "source   captured %,d (%s/s) source-drops %s %s",
                    captured, rate(capturedRate), compact(now.sourceDrops()), compact(now.sourceDetails())));
            final StringBuilder queues = new StringBuilder();
            if (perQueue.size() > 1) {
                perQueue.forEach((q, n) -> queues.append(queues.isEmpty() ? " (" : ", ")
                        .append(String.format(Locale.ROOT, "q%s %,d", q, n)));
                queues.append(')');
            }
            lines.add(prefix + String.format(Locale.ROOT, "receive  packets %,d%s bursts %,d full %,d repeats %,d",
                    received, queues, bursts, fullBursts, repeats));
            lines.add(prefix + String.format(Locale.ROOT, "ring     enqueued %,d ring-full %,d depth %,d",
                    enqueued, ringFull, depth));
            lines.add(prefix + String.format(Locale.ROOT, "sink     sent %,d delivered %,d (%s/s, %s) failed %,d %s in-flight %,d",
                    sent, delivered, rate(deliveredRate), bitRate(deliveredBits), failed, compact(failures), sinkInFlight));
            lines.add(prefix + String.format(Locale.ROOT, "total    captured %,d = delivered %,d + dropped %,d + in-flight %,d",
                    captured, delivered, dropped, inFlight));
            messages.forEach((reason, message) -> lines.add(prefix + "error    " + reason + ": " + message));
            return lines;
        }

        String json(final Instant time, final String type, final String outcome) {
            final StringBuilder b = new StringBuilder(512);
            b.append("{\"time\": ").append(Json.string(TIME.format(time)))
                    .append(", \"type\": ").append(Json.string(type));
            if (outcome != null) {
                b.append(", \"outcome\": ").append(Json.string(outcome))
                        .append(", \"elapsed_seconds\": ").append(String.format(Locale.ROOT, "%.3f", now.elapsedNanos() / 1e9));
            }
            b.append(", \"source\": {\"captured\": ").append(captured)
                    .append(", \"captured_per_second\": ").append(Json.decimal(capturedRate))
                    .append(", \"drops\": ").append(Json.counts(nonZero(now.sourceDrops())))
                    .append(", \"details\": ").append(Json.counts(nonZero(now.sourceDetails()))).append('}');
            b.append(", \"receive\": {\"packets\": ").append(received)
                    .append(", \"queues\": ").append(Json.counts(perQueue))
                    .append(", \"bursts\": ").append(bursts)
                    .append(", \"full_bursts\": ").append(fullBursts)
                    .append(", \"repeats\": ").append(repeats).append('}');
            b.append(", \"ring\": {\"enqueued\": ").append(enqueued)
                    .append(", \"ring_full\": ").append(ringFull)
                    .append(", \"depth\": ").append(depth).append('}');
            b.append(", \"sink\": {\"sent\": ").append(sent)
                    .append(", \"delivered\": ").append(delivered)
                    .append(", \"delivered_per_second\": ").append(Json.decimal(deliveredRate))
                    .append(", \"delivered_bits_per_second\": ").append(Json.decimal(deliveredBits))
                    .append(", \"failed\": ").append(failed)
                    .append(", \"failures\": ").append(Json.counts(failures))
                    .append(", \"in_flight\": ").append(sinkInFlight).append('}');
            b.append(", \"total\": {\"captured\": ").append(captured)
                    .append(", \"delivered\": ").append(delivered)
                    .append(", \"dropped\": ").append(dropped)
                    .append(", \"in_flight\": ").append(inFlight).append('}');
            if (!messages.isEmpty()) {
                b.append(", \"errors\": {");
                final StringBuilder e = new StringBuilder();
                messages.forEach((reason, message) -> e.append(e.isEmpty() ? "" : ", ").append(Json.string(reason))
                        .append(": ").append(Json.string(message)));
                b.append(e).append('}');
            }
            b.append('}');
            return b.toString();
        }
    }

    private static Map<String, Long> nonZero(final Map<String, Long> counts) {
        final Map<String, Long> kept = new LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v != 0) {
                kept.put(k, v);
            }
        });
        return kept;
    }

    private static String compact(final Map<String, Long> counts) {
        final StringBuilder sb = new StringBuilder("{");
        nonZero(counts).forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v));
        return sb.append('}').toString();
    }

    private static String rate(final double r) {
        if (r >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", r / 1e6);
        }
        if (r >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", r / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", r);
    }

    private static String bitRate(final double bits) {
        if (bits >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bits / 1e9);
        }
        return String.format(Locale.ROOT, "%.1f Mbit/s", bits / 1e6);
    }
}
