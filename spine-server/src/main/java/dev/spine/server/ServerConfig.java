package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.events.postgres.EventBuses;
import dev.spine.gateway.GatewayConfig;
import dev.spine.service.ServiceConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings of a spine process, one record per concern: the engine's ({@link ServiceConfig}), the event
 * gateway's ({@link GatewayConfig}, {@code SPINE_BUS_*}), the admin HTTP server's and which event backend the
 * whole process runs on ({@code SPINE_EVENT_BUS}). Read from
 * {@code SPINE_*} variables, each listed in {@link #VARIABLES} with its default (and by
 * {@code spine serve --help}); a bad value fails with the variable's name.
 */
public record ServerConfig(ServiceConfig engine, GatewayConfig gateway, String httpAddr, String adminToken,
        String jaegerUrl, EventBuses.Kind eventBus, String eventBusSchema) {

    public static final String DEFAULT_HTTP_ADDR = "127.0.0.1:8080";
    public static final String DEFAULT_JAEGER_URL = "http://localhost:16686";

    /** The admin HTTP server's own variables. */
    private static final Map<String, String[]> HTTP_VARIABLES = new LinkedHashMap<>();
    /** Every variable of the process with its default and meaning, in the order {@code --help} lists them. */
    public static final Map<String, String[]> VARIABLES;

    static {
        HTTP_VARIABLES.putAll(EventBuses.VARIABLES); // declared where they are read
        HTTP_VARIABLES.put("SPINE_HTTP_ADDR", new String[] {DEFAULT_HTTP_ADDR,
                "admin API, /metrics, /health/* (host:port; port 0 = any free)"});
        HTTP_VARIABLES.put("SPINE_ADMIN_TOKEN", new String[] {"",
                "bearer token required by mutating admin endpoints (empty: they are refused)"});
        HTTP_VARIABLES.put("SPINE_JAEGER_URL", new String[] {DEFAULT_JAEGER_URL,
                "Jaeger UI the dashboard links a job's trace to (http or https)"});
        Map<String, String[]> all = new LinkedHashMap<>(ServiceConfig.VARIABLES);
        all.putAll(HTTP_VARIABLES);
        all.putAll(GatewayConfig.VARIABLES);
        all.putAll(LogFormat.VARIABLES); // read by LogFormat.apply() before the rest, listed here for --help
        VARIABLES = Collections.unmodifiableMap(all);
    }

    /** Settings from the process environment. */
    public static ServerConfig fromEnvironment() {
        return from(System.getenv()::get);
    }

    /** Settings from any lookup (tests pass a map). Unset or blank values take the defaults. */
    public static ServerConfig from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, HTTP_VARIABLES);
        return new ServerConfig(ServiceConfig.from(env), GatewayConfig.from(env), r.text("SPINE_HTTP_ADDR"),
                r.text("SPINE_ADMIN_TOKEN"), r.httpUrl("SPINE_JAEGER_URL"), eventBus(r), r.text(EventBuses.ENV_SCHEMA));
    }

    private static EventBuses.Kind eventBus(SettingsReader r) {
        try {
            return EventBuses.Kind.parse(r.text(EventBuses.ENV_EVENT_BUS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(EventBuses.ENV_EVENT_BUS, "must be nats, postgres or in-memory, was '"
                    + r.text(EventBuses.ENV_EVENT_BUS) + "'");
        }
    }

    /** The defaults alone. */
    public static ServerConfig defaults() {
        return from(name -> null);
    }

    /** This config with some variables replaced (tests, the demo). */
    public ServerConfig with(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(asVariables());
        all.putAll(overrides);
        return from(all::get);
    }

    /** This config as variables, the inverse of {@link #from}. */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>(engine.asVariables());
        m.put("SPINE_HTTP_ADDR", httpAddr);
        m.put("SPINE_ADMIN_TOKEN", adminToken);
        m.put("SPINE_JAEGER_URL", jaegerUrl);
        m.put(EventBuses.ENV_EVENT_BUS, eventBus.value());
        m.put(EventBuses.ENV_SCHEMA, eventBusSchema);
        m.putAll(gateway.asVariables());
        return m;
    }

    /** The admin API's port from {@link #httpAddr}. */
    public int httpPort() {
        return Integer.parseInt(httpAddr.substring(httpAddr.lastIndexOf(':') + 1));
    }

    public String httpHost() {
        return httpAddr.substring(0, httpAddr.lastIndexOf(':'));
    }

    /** Never shows the admin token. */
    @Override
    public String toString() {
        return "ServerConfig[engine=" + engine + ", gateway=" + gateway + ", httpAddr=" + httpAddr + ", adminToken="
                + (adminToken.isEmpty() ? "" : "***") + ", jaegerUrl=" + jaegerUrl + ", eventBus=" + eventBus.value()
                + ", eventBusSchema=" + eventBusSchema + "]";
    }
}
