package dev.spine.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.Objects;

/**
 * A job type bound to the Java class of its payload, with the defaults its jobs get: queue, max attempts,
 * timeout and backoff. Immutable and thread-safe; keep one per type as a constant, shared by the code that
 * enqueues and the code that handles:
 *
 * <pre>{@code
 * record Email(String to, String subject) {}
 * static final JobType<Email> SEND_EMAIL = JobType.of("SendEmail", Email.class)
 *         .queue("interactive").maxAttempts(3).timeout(Duration.ofSeconds(30));
 *
 * JobQueue.builder(ds).handler(SEND_EMAIL, (email, job) -> mailer.send(email.to(), email.subject()));
 * jobs.enqueue(SEND_EMAIL.with(new Email("ann@example.com", "Hi")).idempotencyKey("welcome:42"));
 * }</pre>
 *
 * <p>{@link #with} gives an ordinary {@link JobRequest} with the defaults applied, so any of them can still be
 * changed per job. The payload goes through the queue's Jackson mapper both ways, like
 * {@link JobRequest#of} and {@link Job#payload}. The name is the job type the queue stores: string-typed
 * handlers and requests of the same name meet the same jobs.
 */
public final class JobType<T> {
    private final String name;
    private final Class<T> payloadClass;
    private final String queue;
    private final int maxAttempts;
    private final Duration timeout;
    private final Backoff backoff;

    private JobType(String name, Class<T> payloadClass, String queue, int maxAttempts, Duration timeout,
            Backoff backoff) {
        this.name = name;
        this.payloadClass = payloadClass;
        this.queue = queue;
        this.maxAttempts = maxAttempts;
        this.timeout = timeout;
        this.backoff = backoff;
    }

    /**
     * {@code name} carrying {@code payloadClass}, with {@link JobRequest}'s defaults (queue
     * {@value JobRequest#DEFAULT_QUEUE}, {@value JobRequest#DEFAULT_MAX_ATTEMPTS} attempts, a 5 minute timeout,
     * {@link Backoff#DEFAULT}).
     *
     * @throws InvalidJobException {@code MISSING_FIELD} on {@code type} or {@code payloadClass}
     */
    public static <T> JobType<T> of(String name, Class<T> payloadClass) {
        if (name == null || name.isBlank()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "type", "a job type name is required");
        }
        if (payloadClass == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "payloadClass",
                    "the payload class of job type '" + name + "' is required");
        }
        return new JobType<>(name, payloadClass, JobRequest.DEFAULT_QUEUE, JobRequest.DEFAULT_MAX_ATTEMPTS,
                JobRequest.DEFAULT_TIMEOUT, Backoff.DEFAULT);
    }

    /** A copy whose jobs go to {@code queue} by default; the name's shape is checked now. */
    public JobType<T> queue(String queue) {
        return new JobType<>(name, payloadClass, Names.checkQueue(queue, "queue"), maxAttempts, timeout, backoff);
    }

    /** A copy whose jobs get {@code maxAttempts} attempts by default (checked at enqueue, like any request's). */
    public JobType<T> maxAttempts(int maxAttempts) {
        return new JobType<>(name, payloadClass, queue, maxAttempts, timeout, backoff);
    }

    /** A copy whose jobs time out after {@code timeout} by default (checked at enqueue, like any request's). */
    public JobType<T> timeout(Duration timeout) {
        return new JobType<>(name, payloadClass, queue, maxAttempts, timeout, backoff);
    }

    public JobType<T> backoff(Backoff backoff) {
        return new JobType<>(name, payloadClass, queue, maxAttempts, timeout,
                Objects.requireNonNull(backoff, "backoff"));
    }

    /** A request for one job of this type carrying {@code payload}, with this type's defaults. */
    public JobRequest with(T payload) {
        return JobRequest.of(name, payload).queue(queue).maxAttempts(maxAttempts).timeout(timeout).backoff(backoff);
    }

    /**
     * The payload of {@code job} as this type's class.
     *
     * @throws InvalidJobException {@code INVALID_FIELD} on {@code type} for a job of another type, on
     *     {@code payload} when the payload does not read as the class
     */
    public T payloadOf(Job job) {
        if (!name.equals(job.type())) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "type",
                    "expected a job of type '" + name + "', got '" + job.type() + "'");
        }
        try {
            return job.payload(payloadClass);
        } catch (IllegalArgumentException e) {
            // Jackson's own message without the location lines it appends
            String why = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "payload", "job " + job.id() + " of type '"
                    + name + "' does not read as " + payloadClass.getSimpleName() + ": " + why, e);
        }
    }

    public String name() {
        return name;
    }

    public Class<T> payloadClass() {
        return payloadClass;
    }

    public String queue() {
        return queue;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration timeout() {
        return timeout;
    }

    public Backoff backoff() {
        return backoff;
    }

    @Override
    public String toString() {
        return "JobType{" + name + " as " + payloadClass.getSimpleName() + " on " + queue + "}";
    }
}
