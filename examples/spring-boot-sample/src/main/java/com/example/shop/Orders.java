package com.example.shop;

import dev.spine.spring.boot.TransactionalJobs;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row and its ShipOrder job commit or roll back together. */
@Service
public class Orders {
    private final JdbcTemplate jdbc;
    private final TransactionalJobs jobs;
    private final String table;

    public Orders(JdbcTemplate jdbc, TransactionalJobs jobs, @Value("${shop.schema}") String schema) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.table = schema + ".orders";
        jdbc.execute("create schema if not exists " + schema);
        jdbc.execute("create table if not exists " + table + " (id text primary key, shipped boolean not null default false)");
    }

    /** Inserts the order and enqueues its shipping in one transaction; {@code failAfter} throws after both. */
    @Transactional
    public void place(String orderId, boolean failAfter) {
        jdbc.update("insert into " + table + " (id) values (?)", orderId);
        jobs.enqueue(ShipOrder.TYPE, new ShipOrder(orderId));
        if (failAfter) {
            throw new IllegalStateException("payment declined for " + orderId);
        }
    }

    /** Called by the job's handler. */
    public void markShipped(String orderId) {
        jdbc.update("update " + table + " set shipped = true where id = ?", orderId);
    }

    /** Whether the order exists and is shipped; null when it does not exist. */
    public Boolean shipped(String orderId) {
        return jdbc.query("select shipped from " + table + " where id = ?", rs -> rs.next() ? rs.getBoolean(1) : null,
                orderId);
    }
}
