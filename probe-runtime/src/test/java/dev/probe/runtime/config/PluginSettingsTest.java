package dev.probe.runtime.config;

import dev.probe.api.ProbeException;
import dev.probe.runtime.plugin.Plugins;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plugin's settings are known from the {@code reference.conf} in its own jar: a jar compiled here
 * from source and dropped into a plugins folder, as a team would ship one.
 */
class PluginSettingsTest {
    @TempDir
    static Path plugins;

    private static final String PROVIDER = """
            package team.capture;

            import com.typesafe.config.Config;
            import dev.probe.spi.CaptureSource;
            import dev.probe.spi.CaptureSourceProvider;
            import java.util.Set;

            public final class MirrorSourceProvider implements CaptureSourceProvider {
                public String name() { return "mirror"; }
                public void validate(Config config) { config.getInt("probe.source.mirror.port"); }
                public CaptureSource open(Config config) { throw new UnsupportedOperationException(); }
                public Set<String> freeFormPaths() { return Set.of("probe.source.mirror.driver-options"); }
            }
            """;

    private static final String REFERENCE = """
            # The mirror source of the capture team.
            probe.source.mirror {
              # Port of the mirror session.
              port = 4789
              # Options passed to the driver as they are.
              driver-options {
              }
            }
            """;

    @BeforeAll
    static void buildThePluginJar() throws IOException {
        final Path src = Files.createDirectories(plugins.resolve("../mirror-src/team/capture").normalize());
        final Path source = Files.writeString(src.resolve("MirrorSourceProvider.java"), PROVIDER);
        final Path classes = Files.createDirectories(plugins.resolve("../mirror-classes").normalize());
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                source.toString());
        assertEquals(0, rc, "the plugin compiles");
        try (OutputStream file = Files.newOutputStream(plugins.resolve("mirror.jar"));
             JarOutputStream jar = new JarOutputStream(file)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (final Path c : walk.filter(Files::isRegularFile).toList()) {
                    jar.putNextEntry(new JarEntry(classes.relativize(c).toString()));
                    jar.write(Files.readAllBytes(c));
                }
            }
            jar.putNextEntry(new JarEntry("META-INF/services/dev.probe.spi.CaptureSourceProvider"));
            jar.write("team.capture.MirrorSourceProvider\n".getBytes(StandardCharsets.UTF_8));
            jar.putNextEntry(new JarEntry("reference.conf"));
            jar.write(REFERENCE.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Plugins withPlugin() {
        final Plugins found = Plugins.load(plugins);
        assertEquals(List.of(), found.broken(), "the plugin loads");
        assertTrue(found.sources().stream().anyMatch(s -> s.name().equals("mirror") && s.plugin()));
        return found;
    }

    @Test
    void aPluginsDeclaredKeyIsAccepted() {
        assertDoesNotThrow(() -> ConfigLoader.load(null, List.of("probe.source.mirror.port=6343"), withPlugin()));
    }

    @Test
    void aMisspeltPluginKeySuggestsTheOneInItsReferenceConf() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> ConfigLoader.load(null, List.of("probe.source.mirror.prot=6343"), withPlugin()));
        assertEquals("Unknown setting probe.source.mirror.prot (--set probe.source.mirror.prot): "
                + "did you mean probe.source.mirror.port?", e.getMessage());
    }

    @Test
    void keysUnderAPluginsFreeFormPathAreLeftToThePlugin() {
        assertDoesNotThrow(() -> ConfigLoader.load(null,
                List.of("probe.source.mirror.driver-options.ring-slots=4096"), withPlugin()));
    }

    @Test
    void withoutThePluginItsKeysAreUnknown() {
        final ProbeException e = assertThrows(ProbeException.class,
                () -> ConfigLoader.load(null, List.of("probe.source.mirror.port=6343"), Plugins.classpath()));
        assertTrue(e.getMessage().startsWith("Unknown setting probe.source.mirror.port"), e.getMessage());
    }

    @Test
    void thePluginsDefaultIsInTheEffectiveConfiguration() {
        assertEquals(4789, ConfigLoader.load(null, List.of(), withPlugin()).getInt("probe.source.mirror.port"));
    }
}
