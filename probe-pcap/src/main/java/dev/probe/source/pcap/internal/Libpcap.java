package dev.probe.source.pcap.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Whether libpcap can be loaded, asked once before pcap4j is used: pcap4j binds its functions lazily,
 * so without libpcap each call fails on its own with a message that blames the function ("... is not
 * supported by the pcap library installed"), not the missing library. Thread-safe.
 */
public final class Libpcap {
    private static volatile String failure;
    private static volatile boolean checked;

    private Libpcap() {
    }

    /** The name pcap4j loads libpcap by: {@code org.pcap4j.core.pcapLibName}, else {@code pcap}. */
    public static String libraryName() {
        return System.getProperty("org.pcap4j.core.pcapLibName", Platform.isWindows() ? "wpcap" : "pcap");
    }

    /**
     * Null when libpcap loads, else why not, in one line (the first line of the loader's message).
     */
    public static String unavailableBecause() {
        if (!checked) {
            synchronized (Libpcap.class) {
                if (!checked) {
                    try {
                        NativeLibrary.getInstance(libraryName());
                    } catch (UnsatisfiedLinkError e) {
                        final String m = e.getMessage() == null ? e.toString() : e.getMessage();
                        failure = m.lines().findFirst().orElse(m).strip().replaceAll(":$", "");
                    }
                    checked = true;
                }
            }
        }
        return failure;
    }
}
