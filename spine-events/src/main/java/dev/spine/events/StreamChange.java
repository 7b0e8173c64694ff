package dev.spine.events;

/**
 * One difference between a stream on the server and what this process's {@link StreamTopology} wants,
 * as {@link Spine#planStreams()} reports it. {@code current} is {@code -} for a stream that does not exist
 * (or a subject it lacks), {@code wanted} is {@code -} for a subject the topology does not name.
 *
 * <p>A starting process ({@link Spine#provision()}) makes only {@link Effect#CREATE} and {@link Effect#ADD};
 * every other change waits for {@link Spine#applyStreams()} ({@code spine streams apply}), so the last
 * process to start can never shrink what an operator set.
 */
public record StreamChange(String stream, String field, String current, String wanted, Effect effect) {
    /** Printed for a value that is absent (a missing stream or subject). */
    public static final String NONE = "-";

    /** What applying the change does. */
    public enum Effect {
        /** The stream does not exist: it is created. */
        CREATE,
        /** A subject is added: nothing stored is affected. */
        ADD,
        /** Removes a subject, lowers replicas or shortens retention (max age, bytes, messages). */
        SHRINK,
        /** Anything else: more replicas, longer retention, another duplicate window, sources, deny flags. */
        CHANGE
    }

    /** {@code stream field: current -> wanted (EFFECT)}. */
    @Override
    public String toString() {
        return stream + " " + field + ": " + current + " -> " + wanted + " (" + effect + ")";
    }
}
