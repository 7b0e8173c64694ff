package dev.spine.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.jobs.Backoff;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobHandler;
import dev.spine.jobs.JobListener;
import dev.spine.jobs.SnoozeJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of one job on the calling thread and turns how it ended into an {@link Outcome}:
 * completed, retry after backoff, dead, or handed back (shutdown). Enforces the job's timeout by
 * interrupting the thread; an attempt that overran fails even if the handler swallowed the interrupt.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final int MAX_ERROR_CHARS = 4000;
    /** How often the watchdog looks for attempts past their timeout: the most a timeout fires late. */
    static final long WATCHDOG_TICK_MILLIS = 10;

    private final Map<String, JobHandler> handlers;
    private final Clock clock;
    private final JobMetrics metrics;
    private final ObjectMapper mapper;
    private final Consumer<Outcome> sink;
    private final JobListener listener;
    private final JobTracing tracing;
    /**
     * Attempts running now, watched for their deadline by one periodic check. (A timer task per attempt
     * made every job take and release the timer's lock from four threads at once, a measured cost.)
     */
    private final Set<Attempt> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private volatile boolean handingBack;
    private boolean watching;

    public JobRunner(Map<String, JobHandler> handlers, Clock clock, JobMetrics metrics,
            ScheduledExecutorService timer, ObjectMapper mapper, JobListener listener, JobTracing tracing,
            Consumer<Outcome> sink) {
        this.listener = listener;
        this.tracing = tracing;
        this.handlers = handlers;
        this.clock = clock;
        this.metrics = metrics;
        this.mapper = mapper;
        this.sink = sink;
        this.timer = timer;
    }

    /**
     * Starts the timeout watchdog on the timer (idempotent): the queue calls it on start, and {@code runOnce}
     * before stepping a worker by hand, so a queue that is only built starts no thread. The timer's owner stops it.
     */
    public synchronized void start() {
        if (watching) {
            return;
        }
        watching = true;
        timer.scheduleWithFixedDelay(this::timeOutOverdue, WATCHDOG_TICK_MILLIS, WATCHDOG_TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void timeOutOverdue() {
        long now = System.nanoTime();
        for (Attempt a : running) {
            if (now - a.deadline >= 0) {
                a.timeOut();
            }
        }
    }

    /** From now on, jobs not yet started, and jobs interrupted by shutdown, are handed back, not failed. */
    public void handBack() {
        handingBack = true;
    }

    public void run(RunnableJob runnable) {
        run(runnable, sink);
    }

    /** Runs one attempt and gives its outcome to {@code sink} instead (stepping a worker by hand). */
    public void run(RunnableJob runnable, Consumer<Outcome> sink) {
        Job job = runnable.job();
        if (handingBack) {
            sink.accept(new Outcome.HandedBack(job.id()));
            return;
        }
        JobHandler handler = handlers.get(job.type());
        if (handler == null) {
            // Claims take only the types this process has handlers for (fetch and direct dispatch alike), so
            // this is a bug, not a configuration: give the job back unspent for a process that has the handler
            LOG.error("claimed job {} of type '{}', which has no handler in this process (handlers: {}); handed "
                    + "back without using its attempt", job.id(), job.type(), handlers.keySet());
            sink.accept(new Outcome.HandedBack(job.id()));
            return;
        }
        metrics.started(job.queue(), Duration.between(job.runAt(), clock.instant()));
        Thread worker = Thread.currentThread();
        long start = System.nanoTime();
        Attempt attempt = new Attempt(worker, start + TimeUnit.MILLISECONDS.toNanos(runnable.timeoutMillis()));
        running.add(attempt);
        Span span = tracing.startRun(job);
        JobLogContext.enter(job, span);
        try {
            attempt(runnable, handler, sink, attempt, span, start);
        } finally {
            JobLogContext.exit();
        }
    }

    private void attempt(RunnableJob runnable, JobHandler handler, Consumer<Outcome> sink, Attempt attempt, Span span,
            long start) {
        Job job = runnable.job();
        Throwable failure = null;
        try (Scope scope = tracing.enabled() ? span.makeCurrent() : Scope.noop()) {
            handler.handle(job);
        } catch (Throwable t) {
            failure = t;
        } finally {
            running.remove(attempt);
            attempt.finish();
            Thread.interrupted(); // a timeout that fired late must not leak into the next job on this thread
        }
        JobTracing.end(span, attempt.timedOut() && failure == null ? new TimeoutException("job timed out") : failure,
                failure == null && !attempt.timedOut() ? "completed" : failure instanceof SnoozeJob ? "snoozed" : "failed");
        metrics.ran(job.queue(), System.nanoTime() - start);
        if (failure == null && !attempt.timedOut()) {
            metrics.completed();
            sink.accept(new Outcome.Completed(job.id(), runnable.row()));
            tell(() -> listener.completed(job));
            return;
        }
        if (failure instanceof SnoozeJob snooze && !attempt.timedOut()) {
            sink.accept(new Outcome.Snoozed(job.id(), job.queue(), clock.instant().plus(snooze.delay())));
            return;
        }
        if (handingBack && !attempt.timedOut() && failure instanceof InterruptedException) {
            sink.accept(new Outcome.HandedBack(job.id()));
            return;
        }
        String error = attempt.timedOut()
                ? "timed out after " + runnable.timeoutMillis() + " ms" + (failure == null ? "" : " (" + describe(failure) + ")")
                : describe(failure);
        fail(runnable, error, failure, null, sink);
    }

    /**
     * The outcome of an attempt that ran elsewhere (a pull worker over the network) and completed: counted and told
     * to the listener as an attempt run here would be.
     */
    public Outcome completedElsewhere(RunnableJob runnable) {
        metrics.completed();
        tell(() -> listener.completed(runnable.job()));
        return new Outcome.Completed(runnable.job().id(), runnable.row());
    }

    /**
     * The outcome of an attempt that ran elsewhere and failed (or timed out): retry after the job's backoff, or
     * after {@code retryDelay} when not null, or dead on its last attempt, exactly as for a handler run here.
     */
    public Outcome failedElsewhere(RunnableJob runnable, String error, Duration retryDelay) {
        Outcome[] out = new Outcome[1];
        fail(runnable, error, null, retryDelay, o -> out[0] = o);
        return out[0];
    }

    private void fail(RunnableJob runnable, String error, Throwable failure, Duration retryDelay,
            Consumer<Outcome> sink) {
        Job job = runnable.job();
        Instant now = clock.instant();
        String errorJson = errorJson(job.attempt(), now, error);
        metrics.failed();
        if (job.isLastAttempt()) {
            metrics.dead();
            // the error (class and message) is kept with the dead job; the stack trace only at debug level
            LOG.warn("job {} ({}) failed its last attempt {}/{} and is dead: {}", job.id(), job.type(), job.attempt(),
                    job.maxAttempts(), error);
            LOG.debug("job {} last failure", job.id(), failure);
            sink.accept(new Outcome.Dead(job.id(), errorJson));
            tell(() -> listener.failed(job, error, true));
        } else {
            Duration backoff = retryDelay != null ? retryDelay
                    : Backoff.delay(runnable.backoffMillis(), runnable.backoffMaxMillis(), job.attempt());
            LOG.debug("job {} ({}) attempt {}/{} failed, retry in {}: {}", job.id(), job.type(), job.attempt(),
                    job.maxAttempts(), backoff, error);
            sink.accept(new Outcome.Retry(job.id(), job.queue(), now.plus(backoff), errorJson));
            tell(() -> listener.failed(job, error, false));
        }
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("job listener failed; ignored", e);
        }
    }

    private String errorJson(int attempt, Instant at, String error) {
        ObjectNode node = mapper.createObjectNode();
        node.put("attempt", attempt);
        node.put("at", at.toString());
        node.put("error", error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) + "..." : error);
        return node.toString();
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getName() + (message == null ? "" : ": " + message);
    }

    /** The race between a handler finishing and its timeout firing, settled under one lock. */
    private static final class Attempt {
        private final Thread worker;
        /** System.nanoTime() at which the attempt times out. */
        final long deadline;
        private boolean finished;
        private boolean timedOut;

        Attempt(Thread worker, long deadline) {
            this.worker = worker;
            this.deadline = deadline;
        }

        synchronized void timeOut() {
            if (!finished) {
                timedOut = true;
                worker.interrupt();
            }
        }

        synchronized void finish() {
            finished = true;
        }

        synchronized boolean timedOut() {
            return timedOut;
        }
    }
}
