package dev.probe.source.dpdk;

import dev.probe.api.ProbeException;
import dev.probe.source.dpdk.internal.Rte;

/**
 * Whether DPDK can be used in this process: the {@code librte_*} 22.11 libraries (ABI 23) load and
 * export every symbol the source binds. Ask before touching anything else in this package; any thread.
 */
public final class Dpdk {
    private Dpdk() {
    }

    /** True when the DPDK libraries loaded. */
    public static boolean isAvailable() {
        return Rte.loadFailure() == null;
    }

    /** Why DPDK is unavailable, or null when it is available. */
    public static Throwable unavailabilityCause() {
        return Rte.loadFailure();
    }

    /**
     * Returns when DPDK is available, else throws a {@link ProbeException} with the cause attached: one line
     * naming the Debian package to install.
     */
    public static void ensureAvailable() {
        final Throwable cause = Rte.loadFailure();
        if (cause != null) {
            final String why = String.valueOf(cause.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
            throw new ProbeException("DPDK is not available (" + why + "): install the Debian package dpdk"
                    + " (apt-get install dpdk), DPDK 22.11, which provides " + String.join(", ", Rte.LIBRARIES), cause);
        }
    }
}
