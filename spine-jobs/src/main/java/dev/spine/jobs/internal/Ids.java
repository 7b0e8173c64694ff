package dev.spine.jobs.internal;

import java.util.UUID;

/**
 * Time-ordered job ids (UUID version 7): new ids land at the right edge of the primary-key index, so
 * inserts touch few index pages, unlike random UUIDs that scatter across the whole index.
 */
public final class Ids {

    private Ids() {}

    public static UUID next() {
        long millis = System.currentTimeMillis();
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long high = (millis << 16) | 0x7000L | (r.nextInt() & 0x0FFFL);
        long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

}
