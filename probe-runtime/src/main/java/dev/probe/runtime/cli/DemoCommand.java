package dev.probe.runtime.cli;

import dev.probe.runtime.demo.Demo;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code probe demo}: see {@link Demo}. */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(final List<String> args, final PrintStream stdout, final PrintStream stderr) throws InterruptedException {
        final List<String> rest = new java.util.ArrayList<>(args);
        final boolean keep = rest.remove("--keep");
        final Arguments a = Arguments.parse("demo", rest, Set.of("--packets"));
        return Demo.run((int) Math.min(a.longOption("--packets", 200_000, 1), 50_000_000), keep, stdout);
    }
}
