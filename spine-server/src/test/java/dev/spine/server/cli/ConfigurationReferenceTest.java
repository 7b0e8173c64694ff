package dev.spine.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CONFIGURATION.md at the root is what the settings tables in code say, and lists every variable. */
class ConfigurationReferenceTest {
    static final Path COMMITTED = Path.of("..", "CONFIGURATION.md");

    @Test
    void theCommittedReferenceIsUpToDate() throws Exception {
        String fresh = ConfigurationReference.render();
        Path regenerated = Path.of("target", "CONFIGURATION.md");
        Files.createDirectories(regenerated.getParent());
        Files.writeString(regenerated, fresh);
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "";
        assertTrue(fresh.equals(committed), "CONFIGURATION.md is out of date with the settings tables in code: "
                + "run ./spine config-doc (or cp spine-server/target/CONFIGURATION.md CONFIGURATION.md, freshly "
                + "written by this test) and commit it");
    }

    @Test
    void everyVariableOfTheProcessIsListedOnceWithItsDefault() {
        String reference = ConfigurationReference.render();
        ServerConfig.VARIABLES.forEach((name, v) -> {
            String row = "| `" + name + "` | " + (v[0].isEmpty() ? "(empty)" : "`" + v[0].replace("|", "\\|") + "`");
            assertEquals(1, reference.split(java.util.regex.Pattern.quote(row), -1).length - 1, name);
        });
        ConfigurationReference.LAUNCHER.keySet().forEach(name -> assertTrue(reference.contains("| `" + name + "` |"), name));
    }
}
