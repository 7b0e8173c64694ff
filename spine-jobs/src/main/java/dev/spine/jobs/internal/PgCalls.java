package dev.spine.jobs.internal;

import dev.spine.jobs.JobStoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGStatement;

/**
 * One statement on a pooled connection of its own, with bound parameters: what the stores' simple calls
 * share. A failure becomes a {@link JobStoreException} naming the statement's first words.
 */
final class PgCalls {
    /** Reads one row into a value. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final DataSource dataSource;

    PgCalls(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    <T> List<T> query(String statement, RowReader<T> reader, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            bind(ps, params);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new JobStoreException("query failed: " + firstWords(statement), e);
        }
    }

    int update(String statement, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new JobStoreException("update failed: " + firstWords(statement), e);
        }
    }

    /**
     * A statement over the hot tables that finds its rows by a set (ids, row addresses, keys), planned at each
     * execution for the tables as they are then. Server-side prepared, such a statement keeps the generic plan
     * made while its table held a few rows, a sequential scan, once it holds thousands: the claim scanned the
     * whole hot table (drain 5k/s instead of 40k/s) and a completion of 1000 jobs parsed its array of row
     * addresses once per row of a 165k-row table (1.5 s per batch: finished jobs piled up running), both
     * measured. Planning costs far less than either.
     */
    static PreparedStatement plannedEachTime(Connection c, String statement) throws SQLException {
        PreparedStatement ps = c.prepareStatement(statement);
        ps.unwrap(PGStatement.class).setPrepareThreshold(0);
        return ps;
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof String s) {
                ps.setString(i + 1, s);
            } else if (p == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else if (p instanceof Array a) {
                ps.setArray(i + 1, a);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    private static String firstWords(String statement) {
        return statement.length() > 60 ? statement.substring(0, 60) + "..." : statement;
    }
}
