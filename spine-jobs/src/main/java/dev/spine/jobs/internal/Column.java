package dev.spine.jobs.internal;

import java.util.StringJoiner;

/**
 * One column of a result row. Each row shape is an enum of its columns in select order, declared beside its
 * statement in {@link Sql} or {@link AdminSql}: the statement's select list is built from the enum
 * ({@link #list}), and its mapper reads each column at the position of its constant ({@code rs.getString(QUEUE.at)}),
 * so statement and mapper cannot drift apart. Positions, not labels: a label costs a hash lookup per column
 * per row, and the claim, on the path that drains jobs, reads 17 columns of every job.
 */
interface Column {
    /** The column's SQL expression in the select (or returning) list. */
    String sql();

    /** The select list of a row shape: its columns' expressions in declaration order. */
    static String list(Column... columns) {
        StringJoiner list = new StringJoiner(", ");
        for (Column c : columns) {
            list.add(c.sql());
        }
        return list.toString();
    }
}
