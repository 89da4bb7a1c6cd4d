package dev.probe.runtime.stats;

import java.util.Map;

/**
 * Renders a final {@link Snapshot} as the one JSON object that {@code --summary FILE} writes: at least
 * {@code captured}, {@code delivered}, {@code in_flight}, {@code dropped} (counts by reason), plus
 * per-queue and per-worker detail.
 */
public final class SummaryJson {
    private SummaryJson() {
    }

    /**
     * @param outcome how the run ended, such as {@code end-of-input} or {@code stop-requested}
     * @param error the one-line error that ended the run, or null
     * @param exitStatus the process's exit status for this outcome
     */
    public static String render(final Snapshot s, final String outcome, final String error, final int exitStatus) {
        final StringBuilder b = new StringBuilder(1024);
        b.append("{\n");
        field(b, "captured", s.captured());
        field(b, "received", s.received());
        field(b, "delivered", s.delivered());
        field(b, "bytes_delivered", s.bytesDelivered());
        field(b, "in_flight", s.inFlight());
        b.append("  \"dropped\": ").append(object(s.dropped())).append(",\n");
        b.append("  \"drop_messages\": ").append(strings(s.dropMessages())).append(",\n");
        field(b, "dropped_total", s.droppedTotal());
        b.append("  \"balanced\": ").append(s.balances()).append(",\n");
        b.append("  \"elapsed_seconds\": ").append(String.format(java.util.Locale.ROOT, "%.3f", s.elapsedNanos() / 1e9)).append(",\n");
        b.append("  \"outcome\": ").append(string(outcome)).append(",\n");
        b.append("  \"error\": ").append(error == null ? "null" : string(error)).append(",\n");
        b.append("  \"exit_status\": ").append(exitStatus).append(",\n");
        b.append("  \"source\": {\"description\": ").append(string(s.source()))
                .append(", \"drops\": ").append(object(s.sourceDrops()))
                .append(", \"details\": ").append(object(s.sourceDetails())).append("},\n");
        b.append("  \"queues\": [");
        for (int i = 0; i < s.queues().size(); i++) {
            final Snapshot.Queue q = s.queues().get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("    {\"queue\": ").append(q.id())
                    .append(", \"packets\": ").append(q.packets())
                    .append(", \"bursts\": ").append(q.bursts())
                    .append(", \"full_bursts\": ").append(q.fullBursts())
                    .append(", \"repeats\": ").append(q.repeats())
                    .append(", \"ring_enqueued\": ").append(q.ringEnqueued())
                    .append(", \"ring_full\": ").append(q.ringFull())
                    .append(", \"ring_depth\": ").append(q.ringDepth())
                    .append(", \"workers\": [");
            for (int w = 0; w < q.workers().size(); w++) {
                final Snapshot.Worker wk = q.workers().get(w);
                final Map<String, Long> failed = new java.util.LinkedHashMap<>();
                wk.failed().forEach((reason, n) -> failed.put(reason.key(), n));
                b.append(w == 0 ? "" : ", ")
                        .append("{\"name\": ").append(string(wk.name()))
                        .append(", \"taken\": ").append(wk.taken())
                        .append(", \"sent\": ").append(wk.sent())
                        .append(", \"delivered\": ").append(wk.delivered())
                        .append(", \"failed\": ").append(object(failed))
                        .append(", \"sink_error\": ").append(wk.sinkErrorUnsent() + wk.sinkErrorUnresolved())
                        .append(", \"in_flight\": ").append(wk.workerHeld() + wk.sinkInFlight())
                        .append('}');
            }
            b.append("]}");
        }
        b.append("\n  ]\n}\n");
        return b.toString();
    }

    private static void field(final StringBuilder b, final String name, final long value) {
        b.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String object(final Map<String, Long> counts) {
        return Json.counts(counts);
    }

    private static String strings(final Map<String, String> values) {
        return Json.strings(values);
    }

    private static String string(final String s) {
        return Json.string(s);
    }
}
