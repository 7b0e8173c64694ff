package dev.spine.gateway.http;

import java.util.Objects;

/**
 * The keys of the HTTP API: {@code adminToken} ({@code SPINE_ADMIN_TOKEN}: mutating calls, and reads too),
 * {@code readToken} ({@code SPINE_READ_TOKEN}: payload-bearing reads only) and {@code readOpen}
 * ({@code SPINE_READ_OPEN}: reads need no key, for a development machine). Empty strings mean "not set".
 * {@link #toString()} never shows a key.
 */
public record AccessKeys(String adminToken, String readToken, boolean readOpen) {
    public AccessKeys {
        adminToken = Objects.requireNonNullElse(adminToken, "");
        readToken = Objects.requireNonNullElse(readToken, "");
    }

    /** Only an admin token: reads need it too. */
    public static AccessKeys admin(String adminToken) {
        return new AccessKeys(adminToken, "", false);
    }

    /** Whether reads can be made at all: a key is set, or reads are open. */
    public boolean readable() {
        return readOpen || !adminToken.isEmpty() || !readToken.isEmpty();
    }

    @Override
    public String toString() {
        return "AccessKeys[adminToken=" + (adminToken.isEmpty() ? "" : "***") + ", readToken="
                + (readToken.isEmpty() ? "" : "***") + ", readOpen=" + readOpen + "]";
    }
}
