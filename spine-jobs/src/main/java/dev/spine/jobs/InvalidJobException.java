package dev.spine.jobs;

/**
 * Bad input to the job queue: carries a {@link JobErrorCode} and the name of the offending field, and is
 * thrown before anything is written (a rejected batch writes nothing).
 */
public class InvalidJobException extends IllegalArgumentException {
    private final JobErrorCode code;
    private final String field;

    public InvalidJobException(JobErrorCode code, String field, String message) {
        super(code + " " + field + ": " + message);
        this.code = code;
        this.field = field;
    }

    public InvalidJobException(JobErrorCode code, String field, String message, Throwable cause) {
        this(code, field, message);
        initCause(cause);
    }

    /** In a batch, the position of the offending job (from the field {@code jobs[i]....}); -1 otherwise. */
    public int batchIndex() {
        if (field == null || !field.startsWith("jobs[")) {
            return -1;
        }
        int end = field.indexOf(']');
        return end < 0 ? -1 : Integer.parseInt(field.substring(5, end));
    }

    public JobErrorCode code() {
        return code;
    }

    /** The offending field, e.g. {@code payload}, {@code delay}, {@code jobs[3].queue}. */
    public String field() {
        return field;
    }
}
