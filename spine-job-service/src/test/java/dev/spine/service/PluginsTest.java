package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.ConfigException;
import dev.spine.contracts.JobTier;
import dev.spine.events.Spine;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.WorkerInfo;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handler plug-ins from jars named at run time: the {@code SPINE_PLUGINS_DIR} folder of the job service, and a
 * worker-only process ({@code spine worker --handlers}) that serves just its jar's job types.
 */
@ExtendWith(SpineServices.class)
class PluginsTest {

    @Test
    void theJobServiceRunsTheHandlersOfThePluginFolder(TestDatabase db, TestNats nats, @TempDir Path plugins) {
        PluginJar.build(plugins, "IndexPlugin", "IndexDocumentJob", true);
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats,
                        Map.of("SPINE_PLUGINS_DIR", plugins.toString()))).build().start();
                Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            publisher.publish(ServiceFixture.event("data.EntityCreated", 1));
            Eventually.await("the jar's handler ran IndexDocumentJob", () -> db.queryLong("select count(*) from "
                    + db.schema() + ".job_archive where type = 'IndexDocumentJob' and state = 'completed'") == 1);
            assertEquals(1, db.queryLong("select attempt from " + db.schema() + ".job_archive where type = 'IndexDocumentJob'"),
                    "first attempt: the handler found it was loaded from the jar");
        }
    }

    @Test
    void aWorkerProcessServesOnlyItsJarsJobTypesOnTheTiersItNames(TestDatabase db, TestNats nats, @TempDir Path dir) {
        Path jar = PluginJar.build(dir, "ConnectorPlugin", "ProcessIncomingDataJob", true);
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of());
        try (Spine bus = ServiceFixture.publisher(nats, config);
                HandlerWorker worker = HandlerWorker.start(config, List.of(jar), Set.of(JobTier.BACKGROUND), bus,
                        new MetricRegistry())) {
            assertEquals(Set.of("ProcessIncomingDataJob"), worker.jobTypes());
            JobQueue producer = JobQueue.builder(db.dataSource()).schema(db.schema()).build();
            for (int i = 0; i < 20; i++) {
                producer.enqueue(JobRequest.of("ProcessIncomingDataJob", Map.of("i", i)).queue("background"));
            }
            producer.enqueue(JobRequest.of("SendEmailJob", Map.of()).queue("background"));
            Eventually.await("the worker ran its 20 jobs", () -> db.queryLong("select count(*) from " + db.schema()
                    + ".job_archive where type = 'ProcessIncomingDataJob' and state = 'completed' and attempt = 1") == 20);
            WorkerInfo registered = producer.workers().stream().filter(WorkerInfo::live).findFirst().orElseThrow();
            assertEquals(List.of("ProcessIncomingDataJob"), registered.types());
            assertEquals(Set.of("background"), registered.queues().keySet());
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".job where type = 'SendEmailJob' "
                    + "and attempt = 0"), "a type it has no handler for is left waiting, unspent");
        }
    }

    @Test
    void badPluginInputIsRefusedWithTheSettingItCameFrom(TestDatabase db, TestNats nats, @TempDir Path dir)
            throws Exception {
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of());
        ConfigException notAFolder = assertThrows(ConfigException.class, () -> JobService.builder(ServiceFixture.config(
                db, nats, Map.of("SPINE_PLUGINS_DIR", dir.resolve("missing").toString()))).build().start());
        assertEquals("SPINE_PLUGINS_DIR", notAFolder.variable());

        Path empty = PluginJar.build(dir, "Unlisted", "X", false);
        ConfigException none = assertThrows(ConfigException.class, () -> HandlerWorker.start(config, List.of(empty),
                Set.of(JobTier.BACKGROUND), null, new MetricRegistry()));
        assertEquals("--handlers", none.variable());
        assertTrue(none.getMessage().contains("no JobHandlerProvider"), none.getMessage());

        ConfigException missing = assertThrows(ConfigException.class, () -> HandlerWorker.start(config,
                List.of(dir.resolve("nope.jar")), Set.of(JobTier.BACKGROUND), null, new MetricRegistry()));
        assertTrue(missing.getMessage().contains("no such jar"), missing.getMessage());

        Path twins = Files.createDirectories(dir.resolve("twins"));
        PluginJar.build(twins, "First", "SameJob", true);
        PluginJar.build(twins, "Second", "SameJob", true);
        ConfigException twice = assertThrows(ConfigException.class, () -> HandlerWorker.start(config,
                PluginJar.in(twins), Set.of(JobTier.BACKGROUND), null, new MetricRegistry()));
        assertTrue(twice.getMessage().contains("two handler plug-ins for job type SameJob"), twice.getMessage());
    }
}
