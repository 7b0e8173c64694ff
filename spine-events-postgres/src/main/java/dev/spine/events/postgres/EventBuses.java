package dev.spine.events.postgres;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import dev.spine.events.EventBus;
import dev.spine.events.InMemoryEventBus;
import dev.spine.events.NatsSettings;
import dev.spine.events.Spine;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the event bus backend by configuration, so a service codes against {@link EventBus} and an
 * operator chooses: {@code SPINE_EVENT_BUS} = {@code nats} (default: the {@link Spine} on JetStream, with
 * every setting {@link NatsSettings} reads: servers, credentials, TLS, prefixes, replicas, domains; streams
 * provisioned), {@code postgres} ({@link PostgresEventBus} in schema {@code SPINE_EVENT_BUS_SCHEMA}, default
 * {@value Outbox.Builder#DEFAULT_SCHEMA}) or {@code in-memory} ({@link InMemoryEventBus}, development only:
 * nothing survives the process). Every backend accepts the domains of {@code SPINE_DOMAINS} /
 * {@code SPINE_DOMAINS_FILE}; the other {@code SPINE_NATS_*} and stream settings configure the NATS backend
 * only. A bad setting fails with {@link dev.spine.contracts.ConfigException} naming its variable.
 */
public final class EventBuses {
    public static final String ENV_EVENT_BUS = "SPINE_EVENT_BUS";
    public static final String ENV_NATS_URL = "SPINE_NATS_URL";
    public static final String ENV_PG_URL = "SPINE_PG_URL";
    public static final String ENV_SCHEMA = "SPINE_EVENT_BUS_SCHEMA";
    public static final String DEFAULT_NATS_URL = NatsSettings.DEFAULT_URL;
    /** How the NATS bus's connection shows in the server's connection list. */
    public static final String CONNECTION_NAME = "spine-event-bus";
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final Logger LOG = LoggerFactory.getLogger(EventBuses.class);
    /** The variables of the backend choice with their defaults (a process lists them in its --help). */
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add(ENV_EVENT_BUS, "nats",
                    "event backend the whole process runs on: nats (JetStream), postgres (a table) or in-memory (dev only)")
            .add(ENV_SCHEMA, Outbox.Builder.DEFAULT_SCHEMA,
                    "schema of the postgres event backend's tables (SPINE_EVENT_BUS=postgres)")
            .build();

    /** The backends {@code SPINE_EVENT_BUS} names. */
    public enum Kind {
        NATS("nats"), POSTGRES("postgres"), IN_MEMORY("in-memory");

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        /** The configuration value, e.g. {@code in-memory}. */
        public String value() {
            return value;
        }

        /**
         * Parses a configuration value (case-insensitive); null or blank means {@link #NATS}.
         *
         * @throws IllegalArgumentException naming {@code SPINE_EVENT_BUS} and the allowed values
         */
        public static Kind parse(String s) {
            if (s == null || s.isBlank()) {
                return NATS;
            }
            String v = s.strip().toLowerCase(Locale.ROOT);
            for (Kind k : values()) {
                if (k.value.equals(v)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(ENV_EVENT_BUS + " must be one of nats, postgres, in-memory; got '" + s + "'");
        }
    }

    private EventBuses() {}

    /** The bus the process environment asks for; a PostgreSQL bus gets an unpooled data source on {@code SPINE_PG_URL}. */
    public static EventBus fromEnvironment() {
        return fromEnvironment(System.getenv(), null);
    }

    /**
     * The bus {@code env} asks for.
     *
     * @param dataSource the pool for the PostgreSQL bus (recommended), or null for an unpooled one on
     *     {@code SPINE_PG_URL}; unused by the other backends
     */
    public static EventBus fromEnvironment(Map<String, String> env, DataSource dataSource) {
        SettingsReader settings = new SettingsReader(env::get, VARIABLES);
        Kind kind = Kind.parse(settings.text(ENV_EVENT_BUS));
        return switch (kind) {
            case NATS -> {
                NatsSettings nats = NatsSettings.from(env::get);
                Spine spine = Spine.builder(nats.connections(), CONNECTION_NAME).topology(nats.topology()).build();
                try {
                    spine.provision();
                } catch (RuntimeException e) {
                    spine.close();
                    throw e;
                }
                yield spine;
            }
            case POSTGRES -> {
                DataSource ds = dataSource;
                if (ds == null) {
                    PGSimpleDataSource simple = new PGSimpleDataSource();
                    simple.setURL(env.getOrDefault(ENV_PG_URL, DEFAULT_PG_URL));
                    ds = simple;
                }
                yield PostgresEventBus.builder(ds).schema(settings.text(ENV_SCHEMA))
                        .domains(NatsSettings.domains(env::get)).build();
            }
            case IN_MEMORY -> {
                LOG.warn("{}=in-memory: events live in this process only and are lost when it stops "
                        + "(for local development, never production)", ENV_EVENT_BUS);
                yield new InMemoryEventBus(NatsSettings.domains(env::get), EventCodec.defaults());
            }
        };
    }
}
