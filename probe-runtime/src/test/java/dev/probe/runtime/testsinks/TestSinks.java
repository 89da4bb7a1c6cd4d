package dev.probe.runtime.testsinks;

/** What tests read of the test sinks. */
public final class TestSinks {
    private TestSinks() {
    }

    /** Sinks of any test provider closed so far in this JVM. */
    public static int closed() {
        return TestSink.CLOSED.get();
    }
}
