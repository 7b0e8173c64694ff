package dev.spine.service;

import dev.spine.contracts.ConfigException;
import dev.spine.jobs.JobHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds {@link JobHandlerProvider} plug-ins: on the class path, and in handler jars named at run time (the
 * {@code SPINE_PLUGINS_DIR} folder of {@code spine serve} and the Docker image, the {@code --handlers} jars of
 * {@code spine worker}). The jars get one class loader whose parent is the engine's, so a plug-in sees the
 * spine API it was compiled against and brings only its own classes; its {@code META-INF/services} file names
 * its providers, as on the class path.
 */
public final class Plugins {
    private Plugins() {}

    /**
     * The {@code *.jar} files of {@code folder}, by name (so two starts load them in the same order); the
     * variable named in a bad folder's error is {@code variable}.
     */
    public static List<Path> jarsIn(Path folder, String variable) {
        if (!Files.isDirectory(folder)) {
            throw new ConfigException(variable, "not a folder: " + folder);
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plug-in folder " + folder, e);
        }
    }

    /**
     * A class loader over {@code jars} (each must exist) in front of the engine's own; with no jars, the
     * engine's class loader itself (the class path's plug-ins only).
     */
    public static ClassLoader classLoader(List<Path> jars, String variable) {
        ClassLoader parent = Plugins.class.getClassLoader();
        if (jars.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new ConfigException(variable, "no such jar: " + jar);
            }
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ConfigException(variable, "not a jar path: " + jar);
            }
        }
        // never closed: the handlers' classes are loaded from it for as long as the process runs
        return new URLClassLoader("spine-plugins", urls.toArray(URL[]::new), parent);
    }

    /**
     * Every provider {@code loader} sees (with {@code jarsOnly}, only those of its own jars, not the class
     * path's), each handler created once with {@code context}, by job type. Two providers of one job type are
     * refused (which one ran would depend on jar order); a provider that cannot be loaded fails with its error
     * rather than leaving its job type silently unserved.
     */
    public static Map<String, JobHandler> handlers(ClassLoader loader, boolean jarsOnly, HandlerContext context,
            String variable) {
        Map<String, JobHandler> found = new LinkedHashMap<>();
        try {
            for (ServiceLoader.Provider<JobHandlerProvider> p
                    : ServiceLoader.load(JobHandlerProvider.class, loader).stream().toList()) {
                if (jarsOnly && p.type().getClassLoader() != loader) {
                    continue;
                }
                JobHandlerProvider provider = p.get();
                if (found.containsKey(provider.jobType())) {
                    throw new ConfigException(variable, "two handler plug-ins for job type " + provider.jobType());
                }
                found.put(provider.jobType(), provider.create(context));
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException(variable, "a handler plug-in cannot be loaded: " + e.getMessage());
        }
        return found;
    }
}
