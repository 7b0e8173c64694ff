package dev.spine.gateway;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.SettingsReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Settings of the event bus HTTP service ({@code /v1/events}, publishers, subscriptions, dead letters,
 * live push), read from {@code SPINE_BUS_*} variables. Each is listed in {@link #VARIABLES} with its
 * default; a bad value fails start-up with the variable's name.
 *
 * @param enabled          whether the bus routes and components run at all
 * @param eventStore       whether every event is copied into the {@code bus_event} table (queries, replay,
 *                         partition history); the copy runs on its own durable consumer and pool, off the
 *                         event-to-job path
 * @param storeConsumer    the durable consumer name of the event-store writer (shared by all instances)
 * @param storeBatchSize   most events written by one insert statement
 * @param poolSize         PostgreSQL connections of the bus (its own pool, apart from the job service's)
 * @param maxEventBytes    the largest body {@code POST /v1/events} accepts
 * @param webhookTimeout   default time a webhook receiver has to answer one delivery
 * @param webhookAttempts  default deliveries of one event before it becomes a dead letter
 * @param webhookBackoff   the delay before the first retry; each further retry doubles it
 * @param webhookBackoffMax the longest delay between retries
 * @param webhookAllow     the internal webhook receivers allowed (loopback, private, link-local: refused otherwise)
 * @param refreshInterval  how often an instance picks up subscriptions created or deleted on another one
 * @param retention        how long stored events and publish receipts are kept (the stream keeps 30 days)
 * @param partitionKeys    JSON pointers into the envelope tried in order for an event's partition key
 * @param liveBufferBytes  most bytes waiting for one live (SSE, WebSocket) client; a client further behind
 *                         is disconnected with reason {@code SLOW_CONSUMER}
 * @param adaptLegacy      whether {@code POST /v1/events} adapts the platform's legacy event shapes
 *                         ({@link EnvelopeAdapter}) instead of refusing them
 * @param eventTypeMap     legacy type names added to the adapter's table ({@code SPINE_EVENT_TYPE_MAP}, shared
 *                         with the engine's ingest)
 */
public record GatewayConfig(
        boolean enabled,
        boolean eventStore,
        String storeConsumer,
        int storeBatchSize,
        int poolSize,
        int maxEventBytes,
        Duration webhookTimeout,
        int webhookAttempts,
        Duration webhookBackoff,
        Duration webhookBackoffMax,
        WebhookAllowList webhookAllow,
        Duration refreshInterval,
        Duration retention,
        List<String> partitionKeys,
        int liveBufferBytes,
        boolean adaptLegacy,
        Map<String, String> eventTypeMap) {

    private static final String EVENT_TYPE_MAP = EnvelopeAdapter.TYPE_MAP_VARIABLE;

    public GatewayConfig {
        eventTypeMap = Map.copyOf(eventTypeMap);
    }

    /** The adapter these settings ask for, or null when adapting is off. */
    public EnvelopeAdapter adapter() {
        return EnvelopeAdapter.ifOn(adaptLegacy, eventTypeMap);
    }

    /** The all-or-nothing switch {@link WebhookAllowList#VARIABLE} replaced; set, start-up fails naming it. */
    static final String REPLACED_ALLOW_PRIVATE = "SPINE_BUS_WEBHOOK_ALLOW_PRIVATE";

    /** Every variable with its default and meaning. */
    public static final Map<String, String[]> VARIABLES;
    private static final Map<String, String[]> TABLE = new LinkedHashMap<>();

    static {
        v("SPINE_BUS_ENABLED", "true", "serve the event bus API: /v1/events, /v1/publishers, /v1/subscriptions");
        v("SPINE_BUS_EVENT_STORE", "true", "copy every event into PostgreSQL for queries (own consumer and pool, off the job path)");
        v("SPINE_BUS_STORE_CONSUMER", "bus-event-store", "durable consumer of the event-store writer");
        v("SPINE_BUS_STORE_BATCH", "500", "most events the event-store writer inserts in one statement");
        v("SPINE_BUS_PG_POOL_SIZE", "3", "PostgreSQL connections of the bus (its own pool)");
        v("SPINE_BUS_MAX_EVENT_BYTES", "65536", "largest body POST /v1/events accepts (bytes, at most 1 MiB)");
        v("SPINE_BUS_WEBHOOK_TIMEOUT", "10s", "default time a webhook receiver has to answer");
        v("SPINE_BUS_WEBHOOK_MAX_ATTEMPTS", "6", "default webhook deliveries before an event is dead-lettered");
        v("SPINE_BUS_WEBHOOK_BACKOFF", "1s", "delay before the first webhook retry (doubles each retry)");
        v("SPINE_BUS_WEBHOOK_BACKOFF_MAX", "10m", "longest delay between webhook retries");
        v(WebhookAllowList.VARIABLE, "", "internal webhook receivers allowed, e.g. 10.1.0.0/16,hooks.internal; "
                + "empty: none");
        v("SPINE_BUS_REFRESH", "10s", "how often subscriptions made on other instances are picked up");
        v("SPINE_BUS_RETENTION", "30d", "how long the event store keeps events and receipts (pruned every 10 minutes)");
        v("SPINE_BUS_PARTITION_KEYS", "/partitionKey,/data/partitionKey,/data/aggregateId",
                "JSON pointers tried in order for an event's partition key (history endpoint)");
        v("SPINE_BUS_LIVE_BUFFER_BYTES", "1048576", "most bytes waiting for one SSE/WebSocket client; more: "
                + "disconnected as SLOW_CONSUMER");
        v("SPINE_BUS_ADAPT_LEGACY", "true", "adapt legacy event shapes posted to /v1/events");
        VARIABLES = java.util.Collections.unmodifiableMap(TABLE);
    }

    private static void v(String name, String fallback, String meaning) {
        TABLE.put(name, new String[] {fallback, meaning});
    }

    /** Settings from a lookup; unset or blank values take the defaults. */
    public static GatewayConfig from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        String replaced = env.apply(REPLACED_ALLOW_PRIVATE);
        if (replaced != null && !replaced.isBlank()) {
            // an old switch left set must not be ignored silently: it now opens nothing
            throw new ConfigException(REPLACED_ALLOW_PRIVATE, "was replaced by " + WebhookAllowList.VARIABLE
                    + " (the address blocks or host names of internal receivers, e.g. 10.1.0.0/16); unset it");
        }
        Duration backoff = r.duration("SPINE_BUS_WEBHOOK_BACKOFF");
        Duration backoffMax = r.duration("SPINE_BUS_WEBHOOK_BACKOFF_MAX");
        if (backoffMax.compareTo(backoff) < 0) {
            throw new ConfigException("SPINE_BUS_WEBHOOK_BACKOFF_MAX", "must be >= SPINE_BUS_WEBHOOK_BACKOFF ("
                    + backoff + "), was " + backoffMax);
        }
        Duration timeout = r.duration("SPINE_BUS_WEBHOOK_TIMEOUT");
        if (timeout.isZero() || timeout.compareTo(Subscription.MAX_TIMEOUT) > 0) {
            throw new ConfigException("SPINE_BUS_WEBHOOK_TIMEOUT", "must be > 0 and <= " + Subscription.MAX_TIMEOUT
                    + ", was " + timeout);
        }
        List<String> pointers = new ArrayList<>();
        for (String p : r.text("SPINE_BUS_PARTITION_KEYS").split(",")) {
            if (!p.isBlank()) {
                if (!p.trim().startsWith("/")) {
                    throw new ConfigException("SPINE_BUS_PARTITION_KEYS", "each entry must be a JSON pointer "
                            + "starting with '/', was '" + p.trim() + "'");
                }
                pointers.add(p.trim());
            }
        }
        String consumer = r.text("SPINE_BUS_STORE_CONSUMER");
        if (!consumer.matches("[A-Za-z0-9_-]+")) {
            throw new ConfigException("SPINE_BUS_STORE_CONSUMER", "must be letters, digits, '-' or '_', was '"
                    + consumer + "'");
        }
        return new GatewayConfig(r.bool("SPINE_BUS_ENABLED"), r.bool("SPINE_BUS_EVENT_STORE"), consumer,
                r.integer("SPINE_BUS_STORE_BATCH", 1, 10_000), r.integer("SPINE_BUS_PG_POOL_SIZE", 1, 100),
                r.integer("SPINE_BUS_MAX_EVENT_BYTES", 1024, 1024 * 1024), timeout,
                r.integer("SPINE_BUS_WEBHOOK_MAX_ATTEMPTS", 1, Subscription.MAX_ATTEMPTS), backoff, backoffMax,
                WebhookAllowList.parse(r.text(WebhookAllowList.VARIABLE)), r.duration("SPINE_BUS_REFRESH"),
                r.duration("SPINE_BUS_RETENTION"), List.copyOf(pointers),
                r.integer("SPINE_BUS_LIVE_BUFFER_BYTES", 1024, 64 * 1024 * 1024), r.bool("SPINE_BUS_ADAPT_LEGACY"),
                EnvelopeAdapter.typeMapFrom(env)); // declared by the engine's IngestSettings
    }

    /** This config as variables, the inverse of {@link #from}. */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_BUS_ENABLED", String.valueOf(enabled));
        m.put("SPINE_BUS_EVENT_STORE", String.valueOf(eventStore));
        m.put("SPINE_BUS_STORE_CONSUMER", storeConsumer);
        m.put("SPINE_BUS_STORE_BATCH", String.valueOf(storeBatchSize));
        m.put("SPINE_BUS_PG_POOL_SIZE", String.valueOf(poolSize));
        m.put("SPINE_BUS_MAX_EVENT_BYTES", String.valueOf(maxEventBytes));
        m.put("SPINE_BUS_WEBHOOK_TIMEOUT", webhookTimeout.toMillis() + "ms");
        m.put("SPINE_BUS_WEBHOOK_MAX_ATTEMPTS", String.valueOf(webhookAttempts));
        m.put("SPINE_BUS_WEBHOOK_BACKOFF", webhookBackoff.toMillis() + "ms");
        m.put("SPINE_BUS_WEBHOOK_BACKOFF_MAX", webhookBackoffMax.toMillis() + "ms");
        m.put(WebhookAllowList.VARIABLE, webhookAllow.toString());
        m.put("SPINE_BUS_REFRESH", refreshInterval.toMillis() + "ms");
        m.put("SPINE_BUS_RETENTION", retention.toMillis() + "ms");
        m.put("SPINE_BUS_PARTITION_KEYS", String.join(",", partitionKeys));
        m.put("SPINE_BUS_LIVE_BUFFER_BYTES", String.valueOf(liveBufferBytes));
        m.put("SPINE_BUS_ADAPT_LEGACY", String.valueOf(adaptLegacy));
        m.put(EVENT_TYPE_MAP, EnvelopeAdapter.formatTypeMap(eventTypeMap));
        return m;
    }

    /**
     * The retry delays of a webhook subscription allowed {@code attempts} deliveries: the configured first
     * delay, doubling, capped at the maximum (one delay per retry).
     */
    public List<Duration> backoffFor(int attempts) {
        List<Duration> delays = new ArrayList<>();
        Duration d = webhookBackoff;
        for (int i = 1; i < Math.max(attempts, 2); i++) {
            delays.add(d.compareTo(webhookBackoffMax) > 0 ? webhookBackoffMax : d);
            d = d.multipliedBy(2);
        }
        return delays;
    }
}
