package dev.spine.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code spine.*} properties. The NATS ones mean what the {@code SPINE_NATS_*} / {@code SPINE_STREAM_*}
 * variables of the spine's processes mean (CONFIGURATION.md), so a service and the spine read one topology.
 */
@ConfigurationProperties("spine")
public class SpineProperties {
    private final Jobs jobs = new Jobs();
    private final Nats nats = new Nats();
    private final Events events = new Events();
    private final Outbox outbox = new Outbox();

    public Jobs getJobs() { return jobs; }
    public Nats getNats() { return nats; }
    public Events getEvents() { return events; }
    public Outbox getOutbox() { return outbox; }

    /** The job queue on the application's DataSource. */
    public static class Jobs {
        /** Whether to create the job queue beans. */
        private boolean enabled = true;
        /** PostgreSQL schema of the queue's tables. */
        private String schema = "spine_jobs";
        /** Whether to create or upgrade the queue's tables at startup (off: fail naming the missing migration). */
        private boolean autoMigrate = true;
        /** Whether this application runs jobs (works the queues below); off: it only enqueues. */
        private boolean work = true;
        /** Queues this application works, with the handler threads of each. */
        private Map<String, Integer> queues = new LinkedHashMap<>(Map.of("background", 4));
        /** How often the queue gauges (depth, scheduled, running, dead letters) are refreshed. */
        private Duration statsInterval = Duration.ofSeconds(5);
        /** How long shutdown waits for running jobs before interrupting them. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getSchema() { return schema; }
        public void setSchema(String schema) { this.schema = schema; }
        public boolean isAutoMigrate() { return autoMigrate; }
        public void setAutoMigrate(boolean autoMigrate) { this.autoMigrate = autoMigrate; }
        public boolean isWork() { return work; }
        public void setWork(boolean work) { this.work = work; }
        public Map<String, Integer> getQueues() { return queues; }
        public void setQueues(Map<String, Integer> queues) { this.queues = queues; }
        public Duration getStatsInterval() { return statsInterval; }
        public void setStatsInterval(Duration statsInterval) { this.statsInterval = statsInterval; }
        public Duration getShutdownTimeout() { return shutdownTimeout; }
        public void setShutdownTimeout(Duration shutdownTimeout) { this.shutdownTimeout = shutdownTimeout; }
    }

    /** The NATS JetStream connection and stream topology (the spine's SPINE_NATS_* / SPINE_STREAM_* variables). */
    public static class Nats {
        /** NATS server URL(s), comma-separated (SPINE_NATS_URL). */
        private String url = "nats://127.0.0.1:4222";
        /** User name (SPINE_NATS_USER), with password. */
        private String user;
        /** Password (SPINE_NATS_PASSWORD). */
        private String password;
        /** Token (SPINE_NATS_TOKEN). */
        private String token;
        /** Credentials file (SPINE_NATS_CREDS_FILE). */
        private String credsFile;
        /** NKey seed file (SPINE_NATS_NKEY_SEED_FILE). */
        private String nkeySeedFile;
        /** Prefix of the stream names (SPINE_STREAM_PREFIX). */
        private String streamPrefix;
        /** Prefix of the subjects (SPINE_SUBJECT_PREFIX). */
        private String subjectPrefix;
        /** Stream replicas, 1 to 5 (SPINE_STREAM_REPLICAS). */
        private Integer replicas;
        /** Event domains, e.g. "data,system,orders" (SPINE_DOMAINS). */
        private String domains;

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getUser() { return user; }
        public void setUser(String user) { this.user = user; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public String getToken() { return token; }
        public void setToken(String token) { this.token = token; }
        public String getCredsFile() { return credsFile; }
        public void setCredsFile(String credsFile) { this.credsFile = credsFile; }
        public String getNkeySeedFile() { return nkeySeedFile; }
        public void setNkeySeedFile(String nkeySeedFile) { this.nkeySeedFile = nkeySeedFile; }
        public String getStreamPrefix() { return streamPrefix; }
        public void setStreamPrefix(String streamPrefix) { this.streamPrefix = streamPrefix; }
        public String getSubjectPrefix() { return subjectPrefix; }
        public void setSubjectPrefix(String subjectPrefix) { this.subjectPrefix = subjectPrefix; }
        public Integer getReplicas() { return replicas; }
        public void setReplicas(Integer replicas) { this.replicas = replicas; }
        public String getDomains() { return domains; }
        public void setDomains(String domains) { this.domains = domains; }
    }

    /** The event bus (publisher and subscriber) on NATS. */
    public static class Events {
        /** Whether to connect to NATS and create the event bus beans. */
        private boolean enabled = true;
        /** The source stamped into the events this application publishes (default: spring.application.name). */
        private String source;
        /** Whether to create or update the streams at startup (never shrinks them). */
        private boolean provision = true;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getSource() { return source; }
        public void setSource(String source) { this.source = source; }
        public boolean isProvision() { return provision; }
        public void setProvision(boolean provision) { this.provision = provision; }
    }

    /** The transactional outbox on the application's DataSource, relayed to the event bus. */
    public static class Outbox {
        /** Whether to create the outbox beans. */
        private boolean enabled = true;
        /** PostgreSQL schema of the outbox tables. */
        private String schema = "spine_events";
        /** Whether this application runs the relay that publishes committed outbox rows (one leader at a time). */
        private boolean relay = true;

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getSchema() { return schema; }
        public void setSchema(String schema) { this.schema = schema; }
        public boolean isRelay() { return relay; }
        public void setRelay(boolean relay) { this.relay = relay; }
    }
}
