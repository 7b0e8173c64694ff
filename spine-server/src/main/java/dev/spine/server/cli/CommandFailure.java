package dev.spine.server.cli;

/** A command that cannot do what was asked: the exit code, a machine-readable code and the field at fault. */
final class CommandFailure extends RuntimeException {
    private final int exitCode;
    private final String code;
    private final String field;

    CommandFailure(int exitCode, String code, String field, String message) {
        super(message);
        this.exitCode = exitCode;
        this.code = code;
        this.field = field;
    }

    static CommandFailure invalid(String code, String field, String message) {
        return new CommandFailure(SpineCommand.INVALID, code, field, message);
    }

    static CommandFailure notFound(String field, String message) {
        return new CommandFailure(SpineCommand.NOT_FOUND, "NOT_FOUND", field, message);
    }

    int exitCode() {
        return exitCode;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }
}
