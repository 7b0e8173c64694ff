package dev.spine.contracts.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * New event ids: time-ordered UUIDs (version 7, RFC 9562) from the thread's own random source. Unique
 * without the lock of {@code UUID.randomUUID()}'s SecureRandom (a visible cost for a busy publisher), and
 * one producer's ids sort by creation, so stores keyed by them (the job service's idempotency keys) insert
 * at the right edge of their index instead of all over it. Ids are identifiers, not secrets.
 */
public final class EventIds {
    private static final long VERSION_7 = 0x7000L;
    private static final long VARIANT = 0x8000000000000000L;

    private EventIds() {}

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (System.currentTimeMillis() << 16) | VERSION_7 | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | VARIANT;
        return new UUID(high, low);
    }
}
