package dev.spine.jobs;

/** PostgreSQL failed while the queue read or wrote jobs; the cause is the driver's exception. */
public class JobStoreException extends RuntimeException {
    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
