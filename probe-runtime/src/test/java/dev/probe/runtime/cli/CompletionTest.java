package dev.probe.runtime.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bash completion script: valid bash, every subcommand, run's options. */
class CompletionTest {
    @Test
    void theScriptIsValidBashAndCompletesSubcommandsAndOptions(@TempDir final Path dir) throws Exception {
        final Path script = dir.resolve("completion/probe");
        Completion.main(new String[] {script.toString()});
        final String text = Files.readString(script);
        final Process check = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        final String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), "bash -n: " + out);
        final Process words = new ProcessBuilder("bash", "-c", "source " + script
                + " && COMP_WORDS=(probe run --) && COMP_CWORD=2 && _complete_probe && echo \"${COMPREPLY[*]}\"")
                .redirectErrorStream(true).start();
        final String completions = new String(words.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(words.waitFor(30, TimeUnit.SECONDS));
        for (final String option : new String[] {"--read", "--interface", "--filter", "--bootstrap-servers", "--topic",
                "--duration", "--summary", "--set"}) {
            assertTrue(completions.contains(option), option + " in " + completions);
        }
        for (final String sub : new String[] {"run", "check", "demo"}) {
            assertTrue(text.contains(sub), sub);
        }
    }
}
