package dev.spine.contracts;

/** A setting that cannot be used; names the variable (e.g. {@code SPINE_BATCH_SIZE}) and what it must be. */
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
