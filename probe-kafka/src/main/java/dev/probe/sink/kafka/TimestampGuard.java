package dev.probe.sink.kafka;

import java.time.Instant;

/**
 * The start-up guard against silent loss at the broker: with {@code record-timestamp = capture} and a
 * {@code CreateTime} topic, the broker judges each record by its capture time. It refuses records
 * outside {@code [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms]}
 * (INVALID_TIMESTAMP), and deletes records older than {@code now - retention.ms} as soon as their
 * segment rolls: an old capture would be delivered, counted, and gone. The guard compares the capture's
 * start (the first packet of a file, or now for a live source) with those limits and refuses to start,
 * naming what to change. {@code record-timestamp = send} and {@code LogAppendTime} topics need no guard.
 * Stateless.
 */
final class TimestampGuard {
    private TimestampGuard() {
    }

    /**
     * Why records of a capture starting at {@code captureStartMillis} would be refused or deleted at
     * once, as one line naming what to change, or null when they would be kept.
     */
    static String refusal(final KafkaSinkSettings settings, final TopicFacts facts, final long captureStartMillis,
                          final long nowMillis) {
        if (settings.recordTimestamp() == RecordTimestamp.SEND || !facts.configsKnown() || facts.logAppendTime()) {
            return null;
        }
        final String topic = "Topic " + settings.topic() + " at Kafka at " + settings.bootstrapServers();
        final String starts = "the capture starts at " + instant(captureStartMillis);
        final String fix = "set " + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + " = send (the key keeps the capture time), or ";
        if (captureStartMillis < 0) {
            return topic + " cannot take time stamps before 1970, and " + starts + ": " + fix
                    + "correct the capture's clock (" + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + ")";
        }
        if (captureStartMillis < minus(nowMillis, facts.beforeMaxMs())) {
            return topic + " refuses records stamped more than " + TopicFacts.human(facts.beforeMaxMs())
                    + " before now (message.timestamp.before.max.ms = " + facts.beforeMaxMs() + "), and " + starts
                    + ": " + fix + "raise the topic's message.timestamp.before.max.ms ("
                    + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + ")";
        }
        if (captureStartMillis > plus(nowMillis, facts.afterMaxMs())) {
            return topic + " refuses records stamped more than " + TopicFacts.human(facts.afterMaxMs())
                    + " after now (message.timestamp.after.max.ms = " + facts.afterMaxMs() + "), and " + starts
                    + ": " + fix + "raise the topic's message.timestamp.after.max.ms, or correct the capture's clock ("
                    + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + ")";
        }
        if (facts.deletesByTime() && facts.retentionMs() >= 0
                && captureStartMillis < minus(nowMillis, facts.retentionMs())) {
            return topic + " deletes records stamped more than " + TopicFacts.human(facts.retentionMs())
                    + " ago (retention.ms = " + facts.retentionMs() + "), and " + starts
                    + ", so its records would be deleted at once: " + fix
                    + "raise the topic's retention.ms (-1 keeps records forever) ("
                    + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + ")";
        }
        return null;
    }

    /**
     * The guard's verdict for {@code probe check --connect}, which knows no capture: the range of
     * capture times the topic keeps, and whether a live capture starting now is kept.
     */
    static String verdict(final KafkaSinkSettings settings, final TopicFacts facts, final long nowMillis) {
        if (!facts.exists()) {
            return "guards: not checked (the topic does not exist)";
        }
        if (!facts.configsKnown()) {
            return "guards: not checked (" + facts.configsProblem() + ")";
        }
        if (settings.recordTimestamp() == RecordTimestamp.SEND) {
            return "guards: record-timestamp = send: every record is stamped with its send time and kept";
        }
        if (facts.logAppendTime()) {
            return "guards: LogAppendTime: the broker stamps every record itself and keeps it";
        }
        final String now = refusal(settings, facts, nowMillis, nowMillis);
        if (now != null) {
            return "guards: a capture starting now would be refused: " + now;
        }
        long oldest = minus(nowMillis, facts.beforeMaxMs());
        if (facts.deletesByTime() && facts.retentionMs() >= 0) {
            oldest = Math.max(oldest, minus(nowMillis, facts.retentionMs()));
        }
        final long newest = plus(nowMillis, facts.afterMaxMs());
        return "guards: ok for a capture starting now; captures starting from "
                + (oldest <= 0 ? "1970" : instant(oldest)) + " to " + (newest == Long.MAX_VALUE ? "any time" : instant(newest))
                + " are kept (older or later ones need " + KafkaSinkSettings.RECORD_TIMESTAMP_PATH + " = send)";
    }

    private static String instant(final long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static long minus(final long a, final long b) {
        final long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long plus(final long a, final long b) {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
