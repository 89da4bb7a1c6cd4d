import dev.probe.runtime.cli.Main;
import picocli.AutoComplete;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build-time only (run by exec-maven-plugin in source-file mode, never shipped): writes the bash completion
 * script of the whole {@code probe} command tree, the subcommands that modules add included, to the file
 * named by the first argument.
 */
public final class BashCompletion {
    private BashCompletion() {
    }

    public static void main(final String[] args) throws Exception {
        final Path out = Path.of(args[0]);
        Files.createDirectories(out.getParent());
        Files.writeString(out, AutoComplete.bash("probe", Main.commandLine(System.out, System.err)));
    }
}
