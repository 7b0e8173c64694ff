package dev.spine.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.gateway.SignedPost;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobHandler;
import dev.spine.jobs.SnoozeJob;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a job by POSTing it to an HTTP endpoint of another service ({@code SPINE_PUSH_HANDLERS}): the body is
 * {@code {"id","type","queue","attempt","maxAttempts","correlationId","payload"}}, with headers
 * {@code Spine-Job-Id} (the receiver's idempotency key), {@code Spine-Job-Type}, {@code Spine-Job-Attempt},
 * {@code traceparent}/{@code tracestate} (the job run's span when tracing is on, else the job's stored context)
 * and {@code Spine-Signature} made with {@code SPINE_PUSH_SECRET}, exactly as webhooks are signed.
 *
 * <p>A 2xx completes the job. Any other answer fails the attempt, unless it carries {@code Retry-After}: then
 * the job is snoozed for that long without using an attempt. No answer before the job's timeout fails the
 * attempt as any handler's timeout does: the queue interrupts this handler, and the connection is closed.
 * Retries, backoff, the breaker of the type and dead letters are the queue's, as for a handler in Java.
 */
final class PushHandler implements JobHandler {
    /**
     * The longest wait for an answer this handler sets itself: the queue's own longest job timeout. The job's
     * actual timeout ends the wait sooner by interrupting the handler ({@link SignedPost#sendInterruptibly}).
     */
    static final Duration MAX_WAIT = Duration.ofDays(24);

    /** Why an attempt failed: {@code code} is {@code PUSH_REJECTED} (an HTTP answer) or the delivery's own code. */
    static final class PushFailure extends Exception {
        private final String code;

        PushFailure(String code, String message) {
            super(code + ": " + message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    private final String type;
    private final URI url;
    private final String secret;
    private final SignedPost post;
    private final ObjectMapper mapper;

    PushHandler(String type, URI url, String secret, SignedPost post, ObjectMapper mapper) {
        this.type = type;
        this.url = url;
        this.secret = secret;
        this.post = post;
        this.mapper = mapper;
    }

    @Override
    public void handle(Job job) throws Exception {
        byte[] body = body(job);
        SignedPost.Delivery d = post.sendInterruptibly(url, secret, headers(job), body, MAX_WAIT);
        if (d.delivered()) {
            return;
        }
        if (d.retryAfter() != null) {
            throw new SnoozeJob(d.retryAfter(), type + " endpoint " + url + " answered HTTP " + d.status()
                    + " with Retry-After " + d.retryAfter().toSeconds() + " s");
        }
        if (d.status() == 0 || d.error().startsWith("TARGET_")) {
            // a refused target's error starts with its code (TARGET_LOOPBACK: ...); else it is unreachable
            int colon = d.error().indexOf(':');
            String code = d.error().startsWith("TARGET_") && colon > 0 ? d.error().substring(0, colon)
                    : "PUSH_UNREACHABLE";
            throw new PushFailure(code, type + " endpoint " + url + ": "
                    + (code.equals("PUSH_UNREACHABLE") ? d.error() : d.error().substring(colon + 1).strip()));
        }
        throw new PushFailure("PUSH_REJECTED", type + " endpoint " + url + " " + d.error());
    }

    private byte[] body(Job job) throws java.io.IOException {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", job.id().toString());
        n.put("type", job.type());
        n.put("queue", job.queue());
        n.put("attempt", job.attempt());
        n.put("maxAttempts", job.maxAttempts());
        n.put("correlationId", job.correlationId());
        n.set("payload", mapper.readTree(job.payloadJson()));
        return mapper.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> headers(Job job) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("User-Agent", "spine-push");
        h.put("Spine-Job-Id", job.id().toString());
        h.put("Spine-Job-Type", job.type());
        h.put("Spine-Job-Attempt", String.valueOf(job.attempt()));
        SpanContext run = Span.current().getSpanContext();
        // the receiver's spans become children of this job run when tracing is on, as a Java handler's would
        String parent = run.isValid()
                ? "00-" + run.getTraceId() + "-" + run.getSpanId() + "-" + run.getTraceFlags().asHex()
                : job.traceparent();
        if (parent != null) {
            h.put("traceparent", parent);
            if (job.tracestate() != null) {
                h.put("tracestate", job.tracestate());
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "PushHandler[" + type + " -> " + url + "]";
    }
}
