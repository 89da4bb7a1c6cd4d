package dev.probe.runtime.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT and SIGTERM handling for a run: the first signal asks for a clean stop, a second one exits at
 * once with status 130.
 */
final class SignalStop {
    private final SignalHandler previousInt;
    private final SignalHandler previousTerm;

    private SignalStop(final SignalHandler previousInt, final SignalHandler previousTerm) {
        this.previousInt = previousInt;
        this.previousTerm = previousTerm;
    }

    static SignalStop install(final Runnable stop, final PrintStream err) {
        final AtomicInteger count = new AtomicInteger();
        final SignalHandler handler = signal -> {
            if (count.incrementAndGet() == 1) {
                err.println("probe: SIG" + signal.getName() + ": stopping (draining rings, flushing sinks); signal again to exit at once");
                stop.run();
            } else {
                err.println("probe: SIG" + signal.getName() + " again: exiting now");
                Runtime.getRuntime().halt(130);
            }
        };
        return new SignalStop(Signal.handle(new Signal("INT"), handler), Signal.handle(new Signal("TERM"), handler));
    }

    void uninstall() {
        Signal.handle(new Signal("INT"), previousInt);
        Signal.handle(new Signal("TERM"), previousTerm);
    }
}
