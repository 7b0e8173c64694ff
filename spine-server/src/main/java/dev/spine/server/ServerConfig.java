package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.events.postgres.EventBuses;
import dev.spine.events.postgres.Outbox;
import dev.spine.gateway.GatewayConfig;
import dev.spine.gateway.http.AccessKeys;
import dev.spine.service.ServiceConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The settings of a spine process, one record per concern: the engine's ({@link ServiceConfig}), the event
 * gateway's ({@link GatewayConfig}, {@code SPINE_BUS_*}), the HTTP servers' ({@link HttpSettings}: addresses,
 * read key, limits), the admin token, which event backend the whole process runs on ({@code SPINE_EVENT_BUS})
 * and the schema of the outbox the admin API manages ({@code SPINE_OUTBOX_SCHEMA}); the HTTP push job handlers
 * ({@link PushHandlerSettings}, {@code SPINE_PUSH_*}). Read from
 * {@code SPINE_*} variables, each listed in {@link #VARIABLES} with its default (and by
 * {@code spine serve --help}); a bad value fails with the variable's name.
 */
public record ServerConfig(ServiceConfig engine, GatewayConfig gateway, HttpSettings http, String adminToken,
        String jaegerUrl, EventBuses.Kind eventBus, String eventBusSchema, String outboxSchema,
        SystemEventSettings systemEvents, DashboardSettings dashboard, PushHandlerSettings push) {

    public static final String DEFAULT_HTTP_ADDR = HttpSettings.DEFAULT_HTTP_ADDR;
    public static final String DEFAULT_JAEGER_URL = "http://localhost:16686";

    /** The admin HTTP server's own variables. */
    private static final Map<String, String[]> HTTP_VARIABLES = new LinkedHashMap<>();
    /** Every variable of the process with its default and meaning, in the order {@code --help} lists them. */
    public static final Map<String, String[]> VARIABLES;

    static {
        HTTP_VARIABLES.putAll(EventBuses.VARIABLES); // declared where they are read
        HTTP_VARIABLES.put("SPINE_OUTBOX_SCHEMA", new String[] {Outbox.Builder.DEFAULT_SCHEMA,
                "schema of the outbox whose dead letters /v1/outbox/dead-letters and `spine outbox dead-letters` manage"});
        HTTP_VARIABLES.put("SPINE_ADMIN_TOKEN", new String[] {"",
                "bearer token required by mutating admin endpoints (empty: they are refused)"});
        HTTP_VARIABLES.put("SPINE_JAEGER_URL", new String[] {DEFAULT_JAEGER_URL,
                "Jaeger UI the dashboard links a job's trace to (http or https)"});
        Map<String, String[]> all = new LinkedHashMap<>(ServiceConfig.VARIABLES);
        all.putAll(HTTP_VARIABLES);
        all.putAll(HttpSettings.VARIABLES);
        all.putAll(GatewayConfig.VARIABLES);
        all.putAll(SystemEventSettings.VARIABLES);
        all.putAll(DashboardSettings.VARIABLES);
        all.putAll(PushHandlerSettings.VARIABLES);
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
        String outboxSchema = r.text("SPINE_OUTBOX_SCHEMA");
        try {
            dev.spine.postgres.SchemaNames.check(outboxSchema);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("SPINE_OUTBOX_SCHEMA", e.getMessage());
        }
        return new ServerConfig(ServiceConfig.from(env), GatewayConfig.from(env), HttpSettings.from(env),
                r.text("SPINE_ADMIN_TOKEN"), r.httpUrl("SPINE_JAEGER_URL"), eventBus(r), r.text(EventBuses.ENV_SCHEMA),
                outboxSchema, SystemEventSettings.from(new SettingsReader(env, SystemEventSettings.VARIABLES)),
                DashboardSettings.from(new SettingsReader(env, DashboardSettings.VARIABLES)),
                PushHandlerSettings.from(new SettingsReader(env, PushHandlerSettings.VARIABLES)));
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
        m.putAll(http.asVariables());
        m.put("SPINE_ADMIN_TOKEN", adminToken);
        m.put("SPINE_OUTBOX_SCHEMA", outboxSchema);
        m.put("SPINE_JAEGER_URL", jaegerUrl);
        m.put(EventBuses.ENV_EVENT_BUS, eventBus.value());
        m.put(EventBuses.ENV_SCHEMA, eventBusSchema);
        m.putAll(gateway.asVariables());
        m.putAll(systemEvents.asVariables());
        m.putAll(dashboard.asVariables());
        m.putAll(push.asVariables());
        return m;
    }

    /** {@code SPINE_HTTP_ADDR}: the gateway's address, and the admin API's unless it has its own. */
    public String httpAddr() {
        return http.httpAddr();
    }

    /** The host of {@link #httpAddr}. */
    public String httpHost() {
        return HttpSettings.host(http.httpAddr());
    }

    /** The admin token, the read token and whether reads are open, for the HTTP routes. */
    public AccessKeys keys() {
        return new AccessKeys(adminToken, http.readToken(), http.readOpen());
    }

    /** Never shows the admin token. */
    @Override
    public String toString() {
        return "ServerConfig[engine=" + engine + ", gateway=" + gateway + ", http=" + http + ", adminToken="
                + (adminToken.isEmpty() ? "" : "***") + ", jaegerUrl=" + jaegerUrl + ", eventBus=" + eventBus.value()
                + ", eventBusSchema=" + eventBusSchema + ", outboxSchema=" + outboxSchema + ", systemEvents=" + systemEvents
                + ", dashboard=" + dashboard + ", push=" + push + "]";
    }
}
