package dev.spine.jobs.internal;

/**
 * The job types a claim may take, and which statement claims them. {@code coverQueue}: the last census found
 * no waiting type in the queue outside {@code names}, so the claim reads the queue in its order as it always
 * did ({@link Sql#fetchAvailable}, with the types as a guard for ones that arrived since); otherwise it claims
 * per type ({@link Sql#fetchAvailableByType}), never reading jobs of other types. Either way only jobs of
 * these types are claimed. Any claimer (a local worker, or later a worker reached over the network) names its
 * types here.
 */
public record FetchTypes(String[] names, boolean coverQueue) {
    /** Claims per type: right whatever waits in the queue. */
    public static FetchTypes byType(String... names) {
        return new FetchTypes(names.clone(), false);
    }

    public boolean isEmpty() {
        return names.length == 0;
    }
}
