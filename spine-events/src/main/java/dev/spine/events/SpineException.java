package dev.spine.events;

/**
 * A NATS or JetStream operation of the spine failed (provisioning, subscribing, reading dead
 * letters, replay). The message names the operation and the stream; the cause is the jnats error.
 */
public class SpineException extends RuntimeException {
    public SpineException(String message, Throwable cause) {
        super(message, cause);
    }

    public SpineException(String message) {
        super(message);
    }
}
