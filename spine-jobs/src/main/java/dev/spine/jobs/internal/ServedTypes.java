package dev.spine.jobs.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The job types this process has handlers for, and per queue whether the last census found only those
 * waiting there. Claims (fetch and direct dispatch) take only these types; the census picks the cheaper
 * claim statement per queue (see {@link FetchTypes}). A queue not yet counted is claimed per type, which is
 * right whatever waits there.
 */
public final class ServedTypes {
    private final Set<String> types;
    private final String[] names;
    /**
     * Per queue with waiting jobs at the last census: whether all of them were of served types. Null before
     * the first census; replaced whole. A queue absent from it had nothing waiting.
     */
    private volatile Map<String, Boolean> covered;

    public ServedTypes(Set<String> types) {
        this.types = Set.copyOf(types);
        this.names = types.toArray(String[]::new);
    }

    public boolean serves(String type) {
        return types.contains(type);
    }

    public Set<String> types() {
        return types;
    }

    /** What a claim of {@code queue} may take, and through which statement. */
    public FetchTypes forQueue(String queue) {
        Map<String, Boolean> c = covered;
        return new FetchTypes(names, c != null && c.getOrDefault(queue, Boolean.TRUE));
    }

    /** Takes a census: the (queue, type) pairs that have waiting jobs now. */
    public void census(List<JobStore.WaitingType> waiting) {
        Map<String, Boolean> next = new HashMap<>();
        for (JobStore.WaitingType w : waiting) {
            next.merge(w.queue(), types.contains(w.type()), Boolean::logicalAnd);
        }
        covered = Map.copyOf(next);
    }
}
