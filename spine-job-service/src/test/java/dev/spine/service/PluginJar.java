package dev.spine.service;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a handler plug-in jar at test time, as a team would ship one: a {@link JobHandlerProvider} compiled
 * against the spine API and listed in {@code META-INF/services}. Its class is in no other place, so a job it
 * runs proves the jar was loaded; the handler also refuses to run unless its class came from the plug-in
 * class loader.
 */
public final class PluginJar {
    private PluginJar() {}

    /**
     * A jar in {@code folder} named {@code <name>.jar} whose provider (class {@code plugin.<name>}) serves
     * {@code jobType}; {@code registered} false leaves the services file out (a jar with no plug-in).
     */
    public static Path build(Path folder, String name, String jobType, boolean registered) {
        try {
            Path src = Files.createTempDirectory("spine-plugin-src-");
            Path source = Files.writeString(Files.createDirectories(src.resolve("plugin")).resolve(name + ".java"), """
                    package plugin;

                    public final class %1$s implements dev.spine.service.JobHandlerProvider {
                        @Override
                        public String jobType() {
                            return "%2$s";
                        }

                        @Override
                        public dev.spine.jobs.JobHandler create(dev.spine.service.HandlerContext context) {
                            return job -> {
                                if (!"spine-plugins".equals(%1$s.class.getClassLoader().getName())) {
                                    throw new IllegalStateException("not loaded from the plug-in jar");
                                }
                            };
                        }
                    }
                    """.formatted(name, jobType));
            Path classes = Files.createDirectories(src.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                    source.toString());
            if (rc != 0) {
                throw new IllegalStateException("the plug-in source did not compile");
            }
            Path jar = folder.resolve(name + ".jar");
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
                out.putNextEntry(new JarEntry("plugin/" + name + ".class"));
                out.write(Files.readAllBytes(classes.resolve("plugin").resolve(name + ".class")));
                if (registered) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + JobHandlerProvider.class.getName()));
                    out.write(("plugin." + name + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jars built so far in {@code folder}. */
    public static List<Path> in(Path folder) {
        return Plugins.jarsIn(folder, "folder");
    }
}
