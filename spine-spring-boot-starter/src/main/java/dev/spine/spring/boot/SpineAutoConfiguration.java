package dev.spine.spring.boot;

import dev.spine.events.NatsSettings;
import dev.spine.events.Spine;
import dev.spine.events.postgres.Outbox;
import dev.spine.events.postgres.OutboxRelay;
import dev.spine.jobs.JobHandler;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobQueueBuilder;
import dev.spine.jobs.JobType;
import dev.spine.jobs.TypedJobHandler;
import dev.spine.micrometer.SpineJobMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * The spine in a Spring Boot application, from {@code spine.*} ({@link SpineProperties}): a {@link JobQueue} on
 * the application's DataSource with the handler beans, {@link TransactionalJobs} and {@link TransactionalOutbox}
 * that join {@code @Transactional}, the event bus ({@link Spine}: publisher and subscriber) on NATS, the outbox
 * relay, and the queue's meters in the application's Micrometer registry. Every bean backs off when the
 * application defines its own.
 *
 * <p>Handlers: a {@link TypedJobHandler}{@code <T>} bean runs the jobs of the {@link JobType}{@code <T>} bean of
 * the same payload class (one each; a handler without its type, or two handlers for one, fail startup); a plain
 * {@link JobHandler} bean runs the jobs whose type is the bean's name.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@EnableConfigurationProperties(SpineProperties.class)
public class SpineAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnProperty(prefix = "spine.jobs", name = "enabled", matchIfMissing = true)
    static class JobsConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        JobQueue spineJobQueue(DataSource dataSource, SpineProperties properties,
                ConfigurableListableBeanFactory beans, ObjectProvider<MeterRegistry> meterRegistry) {
            SpineProperties.Jobs p = properties.getJobs();
            MeterRegistry registry = meterRegistry.getIfAvailable();
            SpineJobMetrics metrics = registry == null ? null : new SpineJobMetrics(registry);
            JobQueueBuilder builder = JobQueue.builder(dataSource).schema(p.getSchema()).autoMigrate(p.isAutoMigrate())
                    .statsInterval(p.getStatsInterval()).shutdownTimeout(p.getShutdownTimeout());
            Set<String> queues = new LinkedHashSet<>(p.getQueues().keySet());
            queues.addAll(registerHandlers(builder, beans, metrics));
            queues.forEach(builder::createQueue);
            if (p.isWork()) {
                p.getQueues().forEach(builder::work);
            }
            if (metrics != null) {
                builder.listener(metrics);
            }
            JobQueue queue = builder.build();
            if (metrics != null) {
                metrics.bind(queue.metrics());
            }
            return queue;
        }

        @Bean
        @ConditionalOnMissingBean
        TransactionalJobs spineTransactionalJobs(JobQueue queue, DataSource dataSource) {
            return new TransactionalJobs(queue, dataSource);
        }

        /** Starts the queue's workers once every bean exists (handlers may need any of them), stops them first. */
        @Bean
        SmartLifecycle spineJobQueueLifecycle(JobQueue queue, SpineProperties properties) {
            return new Lifecycle(() -> {
                if (properties.getJobs().isWork()) {
                    queue.start();
                } else {
                    queue.migrate();
                }
            }, queue::close);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "spine.events", name = "enabled", matchIfMissing = true)
    static class EventsConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        Spine spineEventBus(SpineProperties properties, Environment environment) {
            NatsSettings settings = natsSettings(properties.getNats());
            String source = properties.getEvents().getSource();
            if (source == null || source.isBlank()) {
                source = environment.getProperty("spring.application.name", "spine");
            }
            Spine spine = Spine.builder(settings.connections(), source).topology(settings.topology()).source(source)
                    .build();
            if (properties.getEvents().isProvision()) {
                spine.provision();
            }
            return spine;
        }

        /** The outbox relay publishes committed outbox rows (one leader among the application's instances). */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        @ConditionalOnSingleCandidate(DataSource.class)
        @ConditionalOnProperty(prefix = "spine.outbox", name = {"enabled", "relay"}, matchIfMissing = true)
        OutboxRelay spineOutboxRelay(DataSource dataSource, Spine spine, SpineProperties properties) {
            return OutboxRelay.builder(dataSource, spine).schema(properties.getOutbox().getSchema()).codec(spine.codec())
                    .build();
        }

        @Bean
        SmartLifecycle spineOutboxRelayLifecycle(ObjectProvider<OutboxRelay> relay) {
            return new Lifecycle(() -> relay.ifAvailable(OutboxRelay::start), () -> relay.ifAvailable(OutboxRelay::close));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnProperty(prefix = "spine.outbox", name = "enabled", matchIfMissing = true)
    static class OutboxConfiguration {

        @Bean
        @ConditionalOnMissingBean
        Outbox spineOutbox(DataSource dataSource, SpineProperties properties, ObjectProvider<Spine> spine) {
            Outbox.Builder b = Outbox.builder(dataSource).schema(properties.getOutbox().getSchema());
            spine.ifAvailable(s -> b.domains(s.topology().domains()).codec(s.codec()));
            return b.build();
        }

        @Bean
        @ConditionalOnMissingBean
        TransactionalOutbox spineTransactionalOutbox(Outbox outbox, DataSource dataSource) {
            return new TransactionalOutbox(outbox, dataSource);
        }

    }

    /**
     * Registers the handler beans on {@code builder}, timed by {@code metrics} when there is a registry; returns
     * the queues their job types name (created at startup so an enqueue never meets an unknown queue).
     */
    static Set<String> registerHandlers(JobQueueBuilder builder, ConfigurableListableBeanFactory beans,
            SpineJobMetrics metrics) {
        // Handlers are looked up by name here and fetched at their first job: a handler commonly needs a service
        // that enqueues (and so needs this queue), a cycle if the queue needed the handler instances to exist.
        Set<String> queues = new LinkedHashSet<>();
        Map<String, JobType<?>> typeOfHandler = new HashMap<>();
        for (JobType<?> type : beans.getBeanProvider(JobType.class).orderedStream().toList()) {
            String[] handlers = beans.getBeanNamesForType(
                    ResolvableType.forClassWithGenerics(TypedJobHandler.class, type.payloadClass()), true, false);
            if (handlers.length > 1) {
                throw new IllegalStateException("job type " + type.name() + ": more than one TypedJobHandler<"
                        + type.payloadClass().getSimpleName() + "> bean: " + String.join(", ", handlers));
            }
            if (handlers.length == 1) {
                String name = handlers[0];
                typeOfHandler.put(name, type);
                TypedJobHandler<Object> lazy = (payload, job) -> typed(beans, name).handle(payload, job);
                register(builder, type, metrics == null ? lazy : metrics.timed(lazy));
                queues.add(type.queue());
            }
        }
        for (String name : beans.getBeanNamesForType(TypedJobHandler.class, true, false)) {
            if (!typeOfHandler.containsKey(name)) {
                throw new IllegalStateException("TypedJobHandler bean '" + name + "' has no JobType bean of its payload "
                        + "class: declare one, e.g. @Bean JobType<Payload> type() { return JobType.of(\"Name\", Payload.class); }");
            }
        }
        for (String name : beans.getBeanNamesForType(JobHandler.class, true, false)) {
            JobHandler lazy = job -> beans.getBean(name, JobHandler.class).handle(job);
            builder.handler(name, metrics == null ? lazy : metrics.timed(lazy));
        }
        return queues;
    }

    @SuppressWarnings("unchecked")
    private static TypedJobHandler<Object> typed(ConfigurableListableBeanFactory beans, String name) {
        return beans.getBean(name, TypedJobHandler.class);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void register(JobQueueBuilder builder, JobType type, TypedJobHandler handler) {
        builder.handler(type, handler);
    }

    /** The spine's NATS settings from {@code spine.nats.*}, read by the same code as the SPINE_* variables. */
    static NatsSettings natsSettings(SpineProperties.Nats p) {
        Map<String, String> variables = new HashMap<>();
        put(variables, "SPINE_NATS_URL", p.getUrl());
        put(variables, "SPINE_NATS_USER", p.getUser());
        put(variables, "SPINE_NATS_PASSWORD", p.getPassword());
        put(variables, "SPINE_NATS_TOKEN", p.getToken());
        put(variables, "SPINE_NATS_CREDS_FILE", p.getCredsFile());
        put(variables, "SPINE_NATS_NKEY_SEED_FILE", p.getNkeySeedFile());
        put(variables, NatsSettings.STREAM_PREFIX, p.getStreamPrefix());
        put(variables, NatsSettings.SUBJECT_PREFIX, p.getSubjectPrefix());
        put(variables, NatsSettings.REPLICAS, p.getReplicas() == null ? null : p.getReplicas().toString());
        put(variables, NatsSettings.DOMAINS, p.getDomains());
        try {
            return NatsSettings.from(variables::get);
        } catch (RuntimeException e) {
            throw new IllegalStateException("spine.nats: " + e.getMessage(), e);
        }
    }

    private static void put(Map<String, String> variables, String name, String value) {
        if (value != null && !value.isBlank()) {
            variables.put(name, value);
        }
    }

    /** Runs {@code start} after every singleton exists and {@code stop} before any is destroyed. */
    static final class Lifecycle implements SmartLifecycle {
        private final Runnable start;
        private final Runnable stop;
        private volatile boolean running;

        Lifecycle(Runnable start, Runnable stop) {
            this.start = start;
            this.stop = stop;
        }

        @Override
        public void start() {
            start.run();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
            stop.run();
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
