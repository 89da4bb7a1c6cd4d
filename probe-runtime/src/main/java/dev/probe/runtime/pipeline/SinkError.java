package dev.probe.runtime.pipeline;

/**
 * An exception a sink threw: a bug in the sink, since sinks report a destination's errors through
 * their counters. Kept by the transmit worker for the run's final report. Immutable.
 *
 * @param worker the worker whose sink threw, such as {@code tx-0-1}
 * @param method the sink method that threw: {@code available}, {@code send}, {@code tick}, {@code flush} or {@code close}
 * @param cause what it threw
 */
public record SinkError(String worker, String method, Throwable cause) {
    /** One line: {@code sink of tx-0-1 threw from send: IllegalStateException: boom}. */
    public String message() {
        final String detail = cause.getMessage() == null ? "" : ": " + cause.getMessage().lines().findFirst().orElse("");
        return "sink of " + worker + " threw from " + method + ": " + cause.getClass().getName() + detail;
    }
}
