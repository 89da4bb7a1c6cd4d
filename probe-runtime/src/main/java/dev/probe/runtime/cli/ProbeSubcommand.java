package dev.probe.runtime.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * A subcommand of {@code probe}: {@code run} and {@code check}, and those modules add: {@code export}
 * (probe-kafka), {@code ports} (probe-dpdk), {@code demo} (probe-demo). An implementation is a picocli
 * {@code @Command} class with a public no-argument constructor; a module lists its own in
 * {@code META-INF/services/dev.probe.runtime.cli.ProbeSubcommand}, and {@link Main} finds them with
 * {@link java.util.ServiceLoader} on the probe's class path.
 *
 * <p>{@link #streams} is called first, then {@link #call()}, on the main thread; {@code call} returns the
 * exit status, and a user's mistake is a {@link dev.probe.api.ProbeException}, which prints as one line
 * and exits with status 2.
 */
public interface ProbeSubcommand extends Callable<Integer> {

    /** Where the command writes: {@code out} for its output (binary for {@code export -o -}), {@code err} for messages. */
    void streams(PrintStream out, PrintStream err);

    /** A subcommand that keeps the streams {@link #streams} gives it in {@link #out} and {@link #err}. */
    abstract class Base implements ProbeSubcommand {
        /** Standard output, for the command's results. */
        protected PrintStream out = System.out;
        /** Standard error, for messages and stats lines. */
        protected PrintStream err = System.err;

        @Override
        public void streams(final PrintStream out, final PrintStream err) {
            this.out = out;
            this.err = err;
        }
    }
}
