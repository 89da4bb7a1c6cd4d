package dev.probe.sink.kafka.export;

/**
 * Asks a running export to stop reading and finish: write what it has (sorted, when sorting), flush, and
 * put the file in place. How {@code probe export} ends on SIGINT, SIGTERM or SIGHUP, which is how a
 * following export ({@code --from end}) is usually ended. Requested from any thread.
 */
public final class ExportStop {
    private volatile boolean requested;

    /** Asks the export to finish after the records it is handling. */
    public void request() {
        requested = true;
    }

    /** Whether a stop was asked for. */
    public boolean requested() {
        return requested;
    }
}
