package dev.spine.postgres;

import java.time.Duration;

/**
 * How {@link PgPools} builds a pool. Checked when made: a bad value fails with the field's name, nothing is
 * clamped.
 *
 * @param url               a {@code jdbc:postgresql:} URL (user and password may ride in it)
 * @param poolSize          the most connections the pool opens
 * @param minimumIdle       connections kept open while idle; {@link #of} makes it {@code poolSize}, a fixed pool
 * @param poolName          names the pool's threads and its log lines
 * @param connectionTimeout how long a borrower waits for a connection before failing
 * @param startTimeout      how long building the pool waits for a first connection before failing
 */
public record PoolSettings(String url, int poolSize, int minimumIdle, String poolName, Duration connectionTimeout,
        Duration startTimeout) {
    /** A borrower that waits longer than this is better told the database is unreachable or the pool too small. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** A process starting beside a database that is itself still starting gets this long. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(10);
    /** HikariCP refuses a connection timeout below 250 ms. */
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    public PoolSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("url must be a jdbc:postgresql: URL, got '" + url + "'");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
        }
        if (minimumIdle < 0 || minimumIdle > poolSize) {
            throw new IllegalArgumentException("minimumIdle must be between 0 and poolSize (" + poolSize + "), got "
                    + minimumIdle);
        }
        if (poolName == null || poolName.isBlank()) {
            throw new IllegalArgumentException("poolName must be non-blank");
        }
        if (connectionTimeout == null || connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException("connectionTimeout must be >= 250 ms, got " + connectionTimeout);
        }
        if (startTimeout == null || startTimeout.isNegative()) {
            throw new IllegalArgumentException("startTimeout must be zero or positive, got " + startTimeout);
        }
    }

    /** A fixed pool of {@code poolSize} connections with the default timeouts. */
    public static PoolSettings of(String url, int poolSize, String poolName) {
        return new PoolSettings(url, poolSize, poolSize, poolName, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_START_TIMEOUT);
    }

    public PoolSettings withMinimumIdle(int v) {
        return new PoolSettings(url, poolSize, v, poolName, connectionTimeout, startTimeout);
    }

    public PoolSettings withConnectionTimeout(Duration v) {
        return new PoolSettings(url, poolSize, minimumIdle, poolName, v, startTimeout);
    }

    public PoolSettings withStartTimeout(Duration v) {
        return new PoolSettings(url, poolSize, minimumIdle, poolName, connectionTimeout, v);
    }

    /** The URL without its password, for logs and messages. */
    @Override
    public String toString() {
        return "PoolSettings[url=" + url.replaceAll("(?i)(password=)[^&]*", "$1***") + ", poolSize=" + poolSize
                + ", minimumIdle=" + minimumIdle + ", poolName=" + poolName + ", connectionTimeout="
                + connectionTimeout + ", startTimeout=" + startTimeout + "]";
    }
}
