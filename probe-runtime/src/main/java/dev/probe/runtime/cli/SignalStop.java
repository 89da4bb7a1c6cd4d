package dev.probe.runtime.cli;

import dev.probe.runtime.ProbeRun;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGINT, SIGTERM and SIGHUP for a run: the first signal asks for a clean stop (a dropped ssh session
 * stops the probe exactly like {@code kill}); a second one writes the summary and exits at once with
 * 128 + the signal's number (130, 143, 129). Handlers run on the JVM's signal thread.
 */
final class SignalStop {
    private static final Map<String, Integer> NUMBERS = Map.of("INT", 2, "TERM", 15, "HUP", 1);

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private SignalStop() {
    }

    static SignalStop install(final ProbeRun run, final PrintStream err) {
        final AtomicInteger count = new AtomicInteger();
        final SignalHandler handler = signal -> {
            if (count.incrementAndGet() == 1) {
                err.println("probe: SIG" + signal.getName() + ": stopping (draining rings, flushing sinks); signal again to exit at once");
                run.requestStop();
            } else {
                final int status = 128 + NUMBERS.getOrDefault(signal.getName(), 15);
                err.println("probe: SIG" + signal.getName() + " again: exiting now with status " + status);
                run.abort("SIG" + signal.getName() + " received twice: exited without finishing the stop", status);
                Runtime.getRuntime().halt(status);
            }
        };
        final SignalStop stop = new SignalStop();
        for (final String name : List.of("INT", "TERM", "HUP")) {
            final Signal signal = new Signal(name);
            stop.signals.add(signal);
            stop.previous.add(Signal.handle(signal, handler));
        }
        return stop;
    }

    void uninstall() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
