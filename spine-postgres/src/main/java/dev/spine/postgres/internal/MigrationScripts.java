package dev.spine.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The versioned scripts ({@code V<version>__<description>.sql}) of one classpath folder, read without a
 * database, in version order: what Flyway resolves from the same folder, for printing and for naming files in
 * errors. Only the folder itself is listed; the spine keeps each component's scripts flat in their own folder.
 */
public final class MigrationScripts {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__(.+)\\.sql");

    /** One script: its file name, version and text as shipped (placeholders not replaced). */
    public record Script(String name, MigrationVersion version, String text) {}

    private MigrationScripts() {}

    public static List<Script> list(ClassLoader loader, String location) {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> folders = loader.getResources(location);
            while (folders.hasMoreElements()) {
                names.addAll(namesIn(folders.nextElement(), location));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the migrations in classpath:" + location, e);
        }
        List<Script> scripts = new ArrayList<>();
        for (String name : names) {
            Matcher m = VERSIONED.matcher(name);
            if (m.matches()) {
                scripts.add(new Script(name, MigrationVersion.fromVersion(m.group(1).replace('_', '.')),
                        read(loader, location + "/" + name)));
            }
        }
        scripts.sort(Comparator.comparing(Script::version));
        return List.copyOf(scripts);
    }

    private static List<String> namesIn(URL folder, String location) throws IOException {
        switch (folder.getProtocol()) {
            case "file":
                try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                    return files.map(p -> p.getFileName().toString()).toList();
                } catch (URISyntaxException e) {
                    throw new IOException("not a file URL: " + folder, e);
                }
            case "jar":
                List<String> names = new ArrayList<>();
                String prefix = location.endsWith("/") ? location : location + "/";
                JarURLConnection connection = (JarURLConnection) folder.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) < 0
                                && entry.length() > prefix.length()) {
                            names.add(entry.substring(prefix.length()));
                        }
                    }
                }
                return names;
            default:
                throw new IOException("cannot list migrations in " + folder + ": only file: and jar: class paths are"
                        + " supported");
        }
    }

    private static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("migration " + resource + " vanished from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + resource, e);
        }
    }
}
