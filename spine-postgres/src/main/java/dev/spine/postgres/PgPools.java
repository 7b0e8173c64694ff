package dev.spine.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The one way the spine builds a PostgreSQL connection pool (HikariCP). The returned pool is open: it has
 * connected once, or failed within {@link PoolSettings#startTimeout()}; close it when done.
 */
public final class PgPools {
    private PgPools() {}

    /** A fixed pool of {@code poolSize} connections with the default timeouts of {@link PoolSettings}. */
    public static HikariDataSource create(String url, int poolSize, String poolName) {
        return create(PoolSettings.of(url, poolSize, poolName));
    }

    public static HikariDataSource create(PoolSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(settings.minimumIdle());
        config.setPoolName(settings.poolName());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setInitializationFailTimeout(settings.startTimeout().toMillis());
        return new HikariDataSource(config);
    }
}
