package dev.spine.jobs.internal;

import dev.spine.jobs.Job;
import io.opentelemetry.api.trace.Span;
import org.slf4j.MDC;

/**
 * The SLF4J MDC of a job's attempt: {@value #JOB_ID}, {@value #JOB_TYPE}, {@value #CORRELATION_ID} and
 * {@value #TRACE_ID}, put before the handler runs and removed after the outcome is logged, so every line the
 * handler, the runner and the listeners log on that thread carries them (the event side uses the same names:
 * {@code dev.spine.events.EventLogContext}). Only puts and removes: no formatting on the path of each job.
 */
public final class JobLogContext {
    public static final String JOB_ID = "jobId";
    public static final String JOB_TYPE = "jobType";
    public static final String CORRELATION_ID = "correlationId";
    public static final String TRACE_ID = "traceId";
    /** {@code 00-<32 hex trace id>-<16 hex span id>-<flags>}: where the trace id sits in a W3C traceparent. */
    private static final int TRACE_ID_START = 3;
    private static final int TRACE_ID_END = 35;

    private JobLogContext() {}

    /** Puts the attempt's keys; {@code span} is its run span ({@link Span#getInvalid()} when tracing is off). */
    public static void enter(Job job, Span span) {
        MDC.put(JOB_ID, job.id().toString());
        MDC.put(JOB_TYPE, job.type());
        if (job.correlationId() != null) {
            MDC.put(CORRELATION_ID, job.correlationId());
        }
        String traceId = span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : traceId(job.traceparent());
        if (traceId != null) {
            MDC.put(TRACE_ID, traceId);
        }
    }

    /** Removes what {@link #enter} put. */
    public static void exit() {
        MDC.remove(JOB_ID);
        MDC.remove(JOB_TYPE);
        MDC.remove(CORRELATION_ID);
        MDC.remove(TRACE_ID);
    }

    private static String traceId(String traceparent) {
        return traceparent == null || traceparent.length() < TRACE_ID_END ? null
                : traceparent.substring(TRACE_ID_START, TRACE_ID_END);
    }
}
