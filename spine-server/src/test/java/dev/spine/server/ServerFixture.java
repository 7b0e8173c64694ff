package dev.spine.server;

import dev.spine.service.ServiceFixture;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A whole server (engine, HTTP, gateway when a test turns it on) in the test's own schema and streams. */
public final class ServerFixture {
    private ServerFixture() {}

    /** The engine's test settings ({@link ServiceFixture#env}) plus an admin API on a free port. */
    public static ServerConfig config(TestDatabase db, TestNats nats, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        // the process's own system.* events only where a test is about them: others count the stream's events
        env.put("SPINE_SYSTEM_EVENTS", "false");
        env.putAll(overrides);
        return ServerConfig.from(ServiceFixture.env(db, nats, env)::get);
    }

    private static final Pattern JDBC_HOST =
            Pattern.compile("^(jdbc:postgresql://)([^/:]+):(\\d+)(/.*)$");

    /** Where the test database listens, to put a {@code TcpProxy} in front of it and point a URL at the proxy. */
    public record PgAddress(String host, int port, String scheme, String path) {
        /** The test database's URL through a proxy on 127.0.0.1:{@code proxyPort}. */
        public String urlVia(int proxyPort) {
            return scheme + "127.0.0.1:" + proxyPort + path;
        }
    }

    public static PgAddress pgAddress(TestDatabase db) {
        Matcher m = JDBC_HOST.matcher(db.url());
        if (!m.matches()) {
            throw new IllegalStateException("test database URL without host:port: " + db.url());
        }
        return new PgAddress(m.group(2), Integer.parseInt(m.group(3)), m.group(1), m.group(4));
    }
}
