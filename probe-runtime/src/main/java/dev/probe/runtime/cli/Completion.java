package dev.probe.runtime.cli;

import picocli.AutoComplete;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the bash completion script of {@code probe}, with every subcommand found on the class path
 * (those modules add through {@link ProbeSubcommand} included, which picocli's own generator misses).
 * Run at build time: {@code java -cp <the release's lib/*> dev.probe.runtime.cli.Completion OUT}; the
 * script goes to {@code /usr/share/bash-completion/completions/probe}.
 */
public final class Completion {
    private Completion() {
    }

    /** The script's text. */
    public static String script() {
        final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        return AutoComplete.bash("probe", Main.commandLine(quiet, quiet));
    }

    /** Writes {@link #script()} to the file named by the only argument, creating its folder. */
    public static void main(final String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java dev.probe.runtime.cli.Completion OUTPUT-FILE");
            System.exit(2);
        }
        final Path out = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.writeString(out, script());
    }
}
