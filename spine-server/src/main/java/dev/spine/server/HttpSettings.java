package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the HTTP servers listen, who may read, and the limits every connection gets.
 *
 * @param httpAddr       the public gateway ({@code POST /v1/events}, subscriptions, live streams) and, when
 *                       {@code adminAddr} is empty, everything else too ({@code SPINE_HTTP_ADDR})
 * @param adminAddr      the admin API, {@code /metrics}, dashboard ({@code SPINE_ADMIN_ADDR}); empty: on
 *                       {@code httpAddr}, one port as before
 * @param readToken      the key of payload-bearing reads ({@code SPINE_READ_TOKEN}); the admin token works too
 * @param readOpen       reads need no key ({@code SPINE_READ_OPEN}, a development machine only)
 * @param maxHeaderBytes the largest request line and headers a connection may send (431 above)
 * @param idleTimeout    a connection that sends nothing and takes nothing this long is closed
 */
public record HttpSettings(String httpAddr, String adminAddr, String readToken, boolean readOpen, int maxHeaderBytes,
        Duration idleTimeout) {

    public static final String DEFAULT_HTTP_ADDR = "127.0.0.1:8080";
    public static final int DEFAULT_MAX_HEADER_BYTES = 8192;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Below the live streams' 15 s ping, an idle SSE client would be cut between two pings. */
    static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);

    /** The variables with their defaults and meanings. */
    public static final Map<String, String[]> VARIABLES;

    static {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("SPINE_HTTP_ADDR", new String[] {DEFAULT_HTTP_ADDR,
                "public gateway (POST /v1/events, subscriptions); alone, also the admin API (host:port; port 0: any free)"});
        m.put("SPINE_ADMIN_ADDR", new String[] {"",
                "admin API, /metrics, /health/*, dashboard on an address of their own; empty: on SPINE_HTTP_ADDR"});
        m.put("SPINE_READ_TOKEN", new String[] {"",
                "bearer key of reads (jobs, events, dead letters, dashboard data); the admin token reads too"});
        m.put("SPINE_READ_OPEN", new String[] {"false",
                "true: reads need no key (development only); with no read or admin token reads are refused"});
        m.put("SPINE_HTTP_MAX_HEADER_BYTES", new String[] {String.valueOf(DEFAULT_MAX_HEADER_BYTES),
                "largest request line plus headers (bytes, 1024..65536; 431 above)"});
        m.put("SPINE_HTTP_IDLE_TIMEOUT", new String[] {"30s",
                "a connection idle this long is closed (at least 1s; above the live streams' 15s ping)"});
        VARIABLES = Collections.unmodifiableMap(m);
    }

    static HttpSettings from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        String httpAddr = address(r, "SPINE_HTTP_ADDR");
        String adminAddr = r.text("SPINE_ADMIN_ADDR").isEmpty() ? "" : address(r, "SPINE_ADMIN_ADDR");
        Duration idle = r.duration("SPINE_HTTP_IDLE_TIMEOUT");
        if (idle.compareTo(MIN_IDLE_TIMEOUT) < 0) {
            throw new ConfigException("SPINE_HTTP_IDLE_TIMEOUT", "must be at least " + MIN_IDLE_TIMEOUT.toSeconds()
                    + "s, was " + idle);
        }
        return new HttpSettings(httpAddr, adminAddr, r.text("SPINE_READ_TOKEN"), r.bool("SPINE_READ_OPEN"),
                r.integer("SPINE_HTTP_MAX_HEADER_BYTES", 1024, 65536), idle);
    }

    /** {@code host:port} with a port 0..65535, else an error naming the variable. */
    private static String address(SettingsReader r, String name) {
        String v = r.text(name);
        int colon = v.lastIndexOf(':');
        if (colon > 0) {
            try {
                int port = Integer.parseInt(v.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new ConfigException(name, "must be host:port with a port 0..65535, was '" + v + "'");
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_HTTP_ADDR", httpAddr);
        m.put("SPINE_ADMIN_ADDR", adminAddr);
        m.put("SPINE_READ_TOKEN", readToken);
        m.put("SPINE_READ_OPEN", String.valueOf(readOpen));
        m.put("SPINE_HTTP_MAX_HEADER_BYTES", String.valueOf(maxHeaderBytes));
        m.put("SPINE_HTTP_IDLE_TIMEOUT", idleTimeout.toMillis() + "ms");
        return m;
    }

    /**
     * Whether the admin API has an address of its own (else it shares the gateway's): set, and not the same
     * {@code host:port} as {@code SPINE_HTTP_ADDR} (both at port 0 means two free ports).
     */
    public boolean separateAdmin() {
        return !adminAddr.isEmpty() && (!adminAddr.equals(httpAddr) || port(adminAddr) == 0);
    }

    /** The admin API's address: its own, or the gateway's. */
    public String adminAddress() {
        return separateAdmin() ? adminAddr : httpAddr;
    }

    static String host(String addr) {
        return addr.substring(0, addr.lastIndexOf(':'));
    }

    static int port(String addr) {
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
    }

    /** Never shows the read token. */
    @Override
    public String toString() {
        return "HttpSettings[httpAddr=" + httpAddr + ", adminAddr=" + adminAddr + ", readToken="
                + (readToken.isEmpty() ? "" : "***") + ", readOpen=" + readOpen + ", maxHeaderBytes=" + maxHeaderBytes
                + ", idleTimeout=" + idleTimeout + "]";
    }
}
