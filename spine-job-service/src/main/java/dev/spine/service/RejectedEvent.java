package dev.spine.service;

import java.time.Instant;
import java.util.Map;

/**
 * An event the job service could not materialise, kept with its raw bytes: where it came from, the error
 * code ({@code MALFORMED_JSON}, {@code INVALID_EVENT_TYPE}, {@code INVALID_JOB}, ...), the field and why.
 */
public record RejectedEvent(long id, Instant receivedAt, String stream, long streamSequence, String subject,
        Map<String, String> headers, byte[] raw, String code, String field, String reason) {}
