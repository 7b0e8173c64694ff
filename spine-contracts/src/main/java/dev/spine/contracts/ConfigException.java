package dev.spine.contracts;

/**
 * A setting that cannot be used; names it and what it must be. The name is the variable (e.g.
 * {@code SPINE_BATCH_SIZE}) when the setting came from the environment, the builder method otherwise.
 */
public final class ConfigException extends IllegalArgumentException {
    private final String variable;

    public ConfigException(String variable, String message) {
        super(variable + ": " + message);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
