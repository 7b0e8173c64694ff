package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class TypedJobTest {
    record Email(String to, String subject, List<String> tags) {}

    static final JobType<Email> SEND_EMAIL = JobType.of("SendEmail", Email.class)
            .queue("interactive").maxAttempts(3).timeout(Duration.ofSeconds(30));

    @Test
    void aTypedJobRoundTripsWithItsTypesDefaults(TestDatabase db) {
        List<Email> received = new ArrayList<>();
        List<Job> jobs = new ArrayList<>();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler(SEND_EMAIL, (email, job) -> {
                    received.add(email);
                    jobs.add(job);
                }).build()) {
            q.migrate();
            Email email = new Email("ann@example.com", "Hi", List.of("welcome"));
            UUID id = q.enqueue(SEND_EMAIL.with(email).idempotencyKey("welcome:ann"));
            JobInfo waiting = q.find(id).orElseThrow();
            assertEquals("interactive", waiting.queue(), "the type's default queue");
            assertEquals(3, waiting.maxAttempts(), "the type's default attempts");
            assertEquals(0, q.runOnce("background", 10), "not on the request's default queue");
            assertEquals(1, q.runOnce("interactive", 10));
            assertEquals(List.of(email), received, "the handler gets the payload as the class");
            assertEquals(id, jobs.get(0).id());
            assertEquals(email, SEND_EMAIL.payloadOf(jobs.get(0)));
        }
    }

    @Test
    void stringAndTypedFormsMeetTheSameJobs(TestDatabase db) {
        List<String> subjects = new ArrayList<>();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler(SEND_EMAIL, (email, job) -> subjects.add(email.subject())).build()) {
            q.migrate();
            q.enqueue(JobRequest.of("SendEmail", Map.of("to", "bob@example.com", "subject", "by name", "tags", List.of()))
                    .queue("interactive"));
            assertEquals(1, q.runOnce("interactive", 10));
            assertEquals(List.of("by name"), subjects);
        }
    }

    @Test
    void aPayloadThatDoesNotReadAsTheClassFailsTheAttemptNamingIt(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler(SEND_EMAIL, (email, job) -> { }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.json("SendEmail", "{\"to\": {\"not\": \"a string\"}}")
                    .queue("interactive").maxAttempts(1));
            assertEquals(1, q.runOnce("interactive", 10));
            DeadJob dead = q.deadJobs("interactive", "SendEmail", 10).get(0);
            assertEquals(id, dead.id());
            assertTrue(dead.errorsJson().contains("INVALID_FIELD payload: job " + id + " of type 'SendEmail' does "
                    + "not read as Email"), dead.errorsJson());
        }
    }

    @Test
    void badDefinitionsAndMismatchedJobsAreRefusedWithCodeAndField() {
        InvalidJobException noName = assertThrows(InvalidJobException.class, () -> JobType.of(" ", Email.class));
        assertEquals(JobErrorCode.MISSING_FIELD, noName.code());
        assertEquals("type", noName.field());
        InvalidJobException noClass = assertThrows(InvalidJobException.class, () -> JobType.of("X", null));
        assertEquals("payloadClass", noClass.field());
        InvalidJobException badQueue = assertThrows(InvalidJobException.class, () -> SEND_EMAIL.queue("Not A Queue"));
        assertEquals("queue", badQueue.field());
        Job other = new Job(UUID.randomUUID(), "interactive", "Other", "{}", 1, 1, 0, null, null, null, null,
                Instant.now(), Instant.now(), new ObjectMapper());
        InvalidJobException wrongType = assertThrows(InvalidJobException.class, () -> SEND_EMAIL.payloadOf(other));
        assertEquals(JobErrorCode.INVALID_FIELD, wrongType.code());
        assertEquals("type", wrongType.field());
    }
}
