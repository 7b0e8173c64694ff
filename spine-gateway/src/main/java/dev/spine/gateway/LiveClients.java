package dev.spine.gateway;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live (SSE, WebSocket) clients connected to this instance, by subscription, so that deleting a
 * subscription ends its streams: at once on the instance that deleted it, within {@code SPINE_BUS_REFRESH}
 * on the others.
 */
final class LiveClients {
    private final Map<UUID, Set<Runnable>> closers = new ConcurrentHashMap<>();

    /** Registers how to end one client's stream. */
    void add(UUID subscriptionId, Runnable close) {
        closers.computeIfAbsent(subscriptionId, k -> ConcurrentHashMap.newKeySet()).add(close);
    }

    void remove(UUID subscriptionId, Runnable close) {
        Set<Runnable> set = closers.get(subscriptionId);
        if (set != null) {
            set.remove(close);
        }
    }

    /** Ends every stream of a deleted subscription. */
    void closeAll(UUID subscriptionId) {
        Set<Runnable> set = closers.remove(subscriptionId);
        if (set != null) {
            set.forEach(Runnable::run);
        }
    }

    /** The subscriptions with clients connected here. */
    Set<UUID> subscriptionIds() {
        return Set.copyOf(closers.keySet());
    }

    int count() {
        return closers.values().stream().mapToInt(Set::size).sum();
    }
}
