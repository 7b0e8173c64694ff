package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI ({@code ./spine dist}: spine-server/target/spine-VERSION.tar.gz) works on its own: unpacked in
 * a fresh directory and run with a PATH that holds no Maven and no checkout (only {@code JAVA_HOME} and the two
 * tools bin/spine uses), {@code bin/spine queues --pg ... --json} prints the queues as JSON; without a database
 * URL it refuses naming {@code SPINE_PG_URL}; {@code --version} is the build's. {@code ./spine test} builds the
 * tarball before the suite runs.
 */
@ExtendWith(SpineServices.class)
class DistributionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SERVER_TARGET = Path.of(System.getProperty("spine.repo", ".."), "spine-server", "target");

    record Run(int exit, String out, String err) {}

    @Test
    void theUnpackedTarballListsQueuesAsJsonWithoutMavenOnThePath(TestDatabase db, @TempDir Path tmp) throws Exception {
        Path bin = unpack(tarball(), tmp.resolve("unpacked")).resolve("bin").resolve("spine");
        Path path = onlyTheToolsBinSpineUses(tmp.resolve("path"));
        try (JobQueue queue = JobQueue.builder(db.dataSource()).schema(db.schema()).build()) {
            queue.migrate();
            queue.enqueue(JobRequest.of("Packaged", Map.of("n", 1)).queue("background"));
        }

        Run queues = run(path, bin, "queues", "--pg", db.url(), "--pg-schema", db.schema(), "--json");
        assertEquals(0, queues.exit(), queues.err());
        JsonNode background = null;
        for (JsonNode q : JSON.readTree(queues.out())) {
            if (q.path("queue").asText().equals("background")) {
                background = q;
            }
        }
        assertTrue(background != null, "no background queue in " + queues.out());
        assertEquals(1, background.path("available").asInt(), queues.out());

        Run unset = run(path, bin, "queues", "--json");
        assertEquals(2, unset.exit(), unset.out() + unset.err());
        assertTrue(unset.err().contains("MISSING_CONFIG SPINE_PG_URL") && unset.err().contains("--dev"), unset.err());

        Run version = run(path, bin, "--version");
        assertEquals(0, version.exit(), version.err());
        String tarballName = tarball().getFileName().toString();
        assertEquals("spine " + tarballName.substring("spine-".length(), tarballName.length() - ".tar.gz".length()),
                version.out().trim());
    }

    private static Path tarball() throws IOException {
        try (Stream<Path> files = Files.exists(SERVER_TARGET) ? Files.list(SERVER_TARGET) : Stream.empty()) {
            // the newest: a version bump without a clean leaves the previous tarball beside it
            return files.filter(f -> f.getFileName().toString().matches("spine-.+\\.tar\\.gz"))
                    .max(java.util.Comparator.comparing(f -> f.toFile().lastModified()))
                    .orElseThrow(() -> new AssertionError("no spine-*.tar.gz in " + SERVER_TARGET.toAbsolutePath()
                            + ": build it first with ./spine dist (./spine test does), or mvn -Pdist package"));
        }
    }

    /** {@code tar xzf} into {@code dir}; the one top-level directory it holds (spine-VERSION). */
    private static Path unpack(Path tarball, Path dir) throws Exception {
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString())
                .inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar xzf " + tarball);
        try (Stream<Path> top = Files.list(dir)) {
            List<Path> dirs = top.toList();
            assertEquals(1, dirs.size(), "one top-level directory: " + dirs);
            assertTrue(dirs.get(0).getFileName().toString().startsWith("spine-"), dirs.toString());
            return dirs.get(0);
        }
    }

    /** A PATH directory with only dirname and readlink (bin/spine's tools): no mvn, no java. */
    private static Path onlyTheToolsBinSpineUses(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String tool : List.of("dirname", "readlink")) {
            Path found = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new AssertionError(tool + " not found in /usr/bin or /bin"));
            Files.createSymbolicLink(dir.resolve(tool), found);
        }
        return dir;
    }

    /** bin/spine with an environment of JAVA_HOME and PATH only (no SPINE_* from the test run). */
    private static Run run(Path path, Path bin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().put("PATH", path.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile(path.getParent(), "out", ".txt");
        Path err = Files.createTempFile(path.getParent(), "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "bin/spine " + String.join(" ", args) + " did not end within 2 minutes");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
