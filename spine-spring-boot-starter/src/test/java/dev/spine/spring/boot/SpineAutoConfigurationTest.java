package dev.spine.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobType;
import dev.spine.jobs.TypedJobHandler;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The auto-configuration against the real PostgreSQL and NATS: transactional enqueue, handler beans, health. */
@ExtendWith(SpineServices.class)
class SpineAutoConfigurationTest {
    record Ship(String orderId) {}

    static final List<String> SHIPPED = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    static class App {
        static DataSource dataSource;

        @Bean(destroyMethod = "") // the test's, closed by the test kit
        DataSource dataSource() {
            return dataSource;
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        JobType<Ship> shipType() {
            return JobType.of("Ship", Ship.class).queue("background");
        }

        /** Needs the enqueuer, as a handler that chains jobs does: the queue must not need this bean to exist. */
        @Bean
        TypedJobHandler<Ship> ship(TransactionalJobs jobs) {
            return (ship, job) -> SHIPPED.add(ship.orderId());
        }
    }

    @Test
    void anEnqueueJoinsTheTransactionAndTheHandlerBeanRunsTheCommittedJob(TestDatabase db, TestNats nats) {
        App.dataSource = db.dataSource();
        runner(db, nats).run(context -> {
            TransactionalJobs jobs = context.getBean(TransactionalJobs.class);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
            JobType<Ship> type = context.getBean("shipType", JobType.class);
            assertThrows(IllegalStateException.class, () -> tx.executeWithoutResult(s -> {
                jobs.enqueue(type, new Ship("rolled-back"));
                throw new IllegalStateException("the business write failed");
            }));
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"));

            tx.executeWithoutResult(s -> jobs.enqueue(type, new Ship("committed")));
            Eventually.await("the committed job ran", () -> SHIPPED.contains("committed"));
            assertTrue(!SHIPPED.contains("rolled-back"));

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            Eventually.await("the completed counter, tagged by queue and type", () ->
                    meters.find("spine.jobs.completed").tags("queue", "background", "type", "Ship").counter() != null);

            Health health = context.getBean(SpineHealthIndicator.class).health(true);
            assertEquals(Status.UP, health.getStatus(), health.toString());
            assertEquals("UP", health.getDetails().get("database"));
            assertTrue(String.valueOf(health.getDetails().get("broker")).startsWith("UP"), health.toString());
            assertTrue(health.getDetails().containsKey("ingest"), health.toString());
            assertTrue(context.getBean(Spine.class).status().up());
            assertEquals(context.getBean(JobQueue.class), jobs.queue());
        });
    }

    @Test
    void aTypedHandlerWithoutItsJobTypeFailsStartupNamingTheBean(TestDatabase db, TestNats nats) {
        App.dataSource = db.dataSource();
        runner(db, nats).withPropertyValues("spine.events.enabled=false")
                .withBean("orphan", TypedJobHandler.class, () -> (TypedJobHandler<String>) (p, j) -> { })
                .run(context -> {
                    assertTrue(context.getStartupFailure() != null);
                    assertTrue(String.valueOf(rootMessage(context.getStartupFailure())).contains("'orphan'"),
                            String.valueOf(context.getStartupFailure()));
                });
    }

    private static ApplicationContextRunner runner(TestDatabase db, TestNats nats) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SpineAutoConfiguration.class, SpineHealthAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("spine.jobs.schema=" + db.schema(), "spine.outbox.schema=" + db.schema() + "_events",
                        "spine.jobs.stats-interval=200ms", "spine.nats.url=" + nats.url(),
                        "spine.nats.stream-prefix=" + nats.prefix() + "-", "spine.nats.subject-prefix=" + nats.prefix() + ".");
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
