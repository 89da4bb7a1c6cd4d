package dev.probe.testkit;

import org.junit.jupiter.api.Assertions;

/**
 * What a test does when something it needs (a native library, a device, the shared captures) is
 * missing: skip with the reason on a user's machine, fail under {@code CI=true}, where a skip would
 * hide a broken set-up.
 */
public final class NativeRequirement {
    private NativeRequirement() {
    }

    /** Passes when {@code available}; otherwise skips, or fails under CI, with {@code reason}. */
    public static void require(final boolean available, final String reason) {
        if (!available) {
            skipOrFail(reason);
        }
    }

    /** Skips the calling test with {@code reason}, or fails it under {@code CI=true}. */
    public static void skipOrFail(final String reason) {
        if (SharedCaptures.underCi()) {
            Assertions.fail("CI=true and " + reason);
        }
        SharedCaptures.skip(reason);
    }
}
