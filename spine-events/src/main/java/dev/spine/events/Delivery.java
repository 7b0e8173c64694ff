package dev.spine.events;

import dev.spine.contracts.EventEnvelope;
import java.time.Duration;
import java.util.Map;

/**
 * One delivery of a stored event to a {@link BatchHandler}: its raw bytes, where it came from, and how the
 * handler settles it. Decoding is the caller's choice: {@link #data()} is what was stored (a consumer may
 * record undecodable bytes as rejected), {@link #envelope()} decodes it on first use.
 *
 * <p>Reading the origin costs nothing up front: the sequence, delivery count and headers are parsed only
 * when asked for, so a handler that never reads them pays only for this wrapper.
 *
 * <p>Settlement: the first of {@link #ack()}, {@link #term(String)} or {@link #nakWithDelay(Duration)}
 * counts, later ones are ignored ({@link #isSettled()} tells). A delivery the handler leaves unsettled is
 * acknowledged when the handler returns, and handed back for redelivery after the subscription's backoff
 * when it throws (dead-lettered instead on its last allowed delivery). Settle from the handler's thread
 * before it returns; acknowledging is only final once the handler's own work is committed.
 */
public interface Delivery {

    /** The stored bytes, as published (normally a JSON envelope; not necessarily a valid one). */
    byte[] data();

    /**
     * The decoded envelope (decoded once, on first call).
     *
     * @throws dev.spine.contracts.InvalidEventException if the bytes are not a valid envelope
     */
    EventEnvelope envelope();

    /** The subject (NATS) or event type (other backends) the event was stored under. */
    String subject();

    /** The stream (NATS) or table the event is stored in. */
    String stream();

    /** The event's position in its stream: increasing in storage order, the resume point of readers. */
    long sequence();

    /** 1 on the first delivery to this durable, growing with each redelivery. */
    long deliveredCount();

    /** The first value of a header ({@code traceparent}, {@code Nats-Msg-Id}...), or null. */
    String header(String name);

    /** Every header (several values of one name joined with ','); empty where the backend keeps none. */
    Map<String, String> headers();

    /** Done: never delivered again to this durable. */
    void ack();

    /**
     * Refused for good: never delivered again to this durable, and NOT dead-lettered by the bus (the
     * handler records what it refuses where it wants, e.g. with the raw bytes and {@code reason}).
     */
    void term(String reason);

    /** Not now: delivered again (to any instance of the durable) after {@code delay}. */
    void nakWithDelay(Duration delay);

    /** Still working on it: restarts the ack-wait timer so the event is not redelivered meanwhile. */
    void inProgress();

    /** True once acked, terminated or handed back. */
    boolean isSettled();
}
