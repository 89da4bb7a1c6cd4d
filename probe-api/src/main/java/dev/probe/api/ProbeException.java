package dev.probe.api;

/**
 * An error the user can fix: a bad setting, a missing or damaged file, an absent device, a missing
 * library. Its message is one line that names the setting, file or device and what was expected; the
 * launcher prints it and exits with status 2, without a stack trace.
 */
public class ProbeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the setting, file or device, and what was expected */
    public ProbeException(final String message) {
        super(message);
    }

    /** @param message one line naming the setting, file or device; @param cause kept for debugging */
    public ProbeException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
