package dev.spine.testkit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A real PostgreSQL for one test: a schema name of its own (created on first use, dropped with
 * everything in it when the test ends) and connection pools that are closed when the test ends.
 * Tests that use it can run in parallel with each other.
 */
public final class TestDatabase implements AutoCloseable {
    /** Pool size of {@link #dataSource()}: enough for a queue with a few workers and a listener. */
    public static final int DEFAULT_POOL_SIZE = 6;

    private final String url;
    private final String schema;
    private final List<HikariDataSource> pools = new ArrayList<>();
    private HikariDataSource dataSource;

    TestDatabase(String url, String label) {
        this.url = url;
        String name = label.replaceAll("[^A-Za-z0-9]", "").toLowerCase();
        // short enough for any identifier derived from it (PostgreSQL cuts names at 63 bytes)
        this.schema = "t_" + name.substring(0, Math.min(name.length(), 24)) + "_"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The JDBC URL of the server the tests use. */
    public String url() {
        return url;
    }

    /** A schema name unique to this test; not created by this class, so code under test can create it. */
    public String schema() {
        return schema;
    }

    /** A pool of {@link #DEFAULT_POOL_SIZE} connections, shared by calls within this test. */
    public synchronized DataSource dataSource() {
        if (dataSource == null) {
            dataSource = newDataSource(DEFAULT_POOL_SIZE);
        }
        return dataSource;
    }

    /** A separate pool, e.g. to play a second process; closed when the test ends. */
    public synchronized HikariDataSource newDataSource(int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setPoolName("test-" + schema + "-" + pools.size());
        HikariDataSource pool = new HikariDataSource(config);
        pools.add(pool);
        return pool;
    }

    /** Runs one SQL statement (no parameters) on a fresh connection, for test set-up and assertions. */
    public void execute(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + sql, e);
        }
    }

    /** Runs a query that returns one number, e.g. {@code select count(*) from ...}. */
    public long queryLong(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + sql, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            execute("drop schema if exists " + schema + " cascade");
        } finally {
            pools.forEach(HikariDataSource::close);
            pools.clear();
            dataSource = null;
        }
    }
}
