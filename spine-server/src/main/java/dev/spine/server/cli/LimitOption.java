package dev.spine.server.cli;

import picocli.CommandLine.Option;

/** {@code --limit N} of the list commands: at most N rows (default 50), N at least 1. */
final class LimitOption {
    @Option(names = "--limit", defaultValue = "50", description = "most rows listed (default: ${DEFAULT-VALUE})")
    int limit;

    /** The limit, or an INVALID_FIELD failure naming {@code limit}. */
    int value() {
        if (limit < 1) {
            throw CommandFailure.invalid("INVALID_FIELD", "limit", "must be >= 1, was " + limit);
        }
        return limit;
    }
}
