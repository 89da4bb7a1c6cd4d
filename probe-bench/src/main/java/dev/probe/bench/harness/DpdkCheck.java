package dev.probe.bench.harness;

import dev.probe.source.dpdk.Dpdk;

/** Exits 0 when DPDK can be used in this JVM, else prints why and exits 1; for {@code bin/bench}. */
public final class DpdkCheck {
    private DpdkCheck() {
    }

    /** No arguments. */
    public static void main(final String[] args) {
        if (Dpdk.isAvailable()) {
            System.exit(0);
        }
        System.out.println("DPDK is not available: " + Dpdk.unavailabilityCause());
        System.exit(1);
    }
}
