package dev.spine.events.postgres.internal;

/**
 * Every statement of the PostgreSQL event bus, for one schema (checked by {@link Sql#checkSchema});
 * {@code {schema}} is the only substitution, done once.
 */
public final class BusSql {
    /** Publishers take it shared, a group's registration exclusive: no event misses a group being created. */
    private static final String LOCK_GROUPS_SHARED =
            "SELECT pg_advisory_xact_lock_shared(hashtext('spine-domain-events'), hashtext(?))";
    private static final String LOCK_GROUPS =
            "SELECT pg_advisory_xact_lock(hashtext('spine-domain-events'), hashtext(?))";
    private static final String INSERT_EVENT = """
            INSERT INTO {schema}.domain_events (event_id, event_type, topic, payload) VALUES (?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING RETURNING id""";
    private static final String FIND_EVENT = "SELECT id FROM {schema}.domain_events WHERE event_id = ?";
    private static final String FAN_OUT = """
            INSERT INTO {schema}.domain_event_deliveries (group_name, event_row, topic)
            SELECT g.group_name, ?, ? FROM {schema}.domain_event_groups g
            WHERE cardinality(g.patterns) = 0 OR ? = ANY(g.patterns) OR ? = ANY(g.patterns)""";
    private static final String UPSERT_GROUP = """
            INSERT INTO {schema}.domain_event_groups (group_name, patterns) VALUES (?, ?)
            ON CONFLICT (group_name) DO UPDATE SET patterns = excluded.patterns
            RETURNING (xmax = 0) AS created""";
    private static final String BACKFILL = """
            INSERT INTO {schema}.domain_event_deliveries (group_name, event_row, topic)
            SELECT ?, e.id, e.topic FROM {schema}.domain_events e
            WHERE (cardinality(?::text[]) = 0 OR e.event_type = ANY(?::text[])
               OR split_part(e.event_type, '.', 1) || '.*' = ANY(?::text[]))
              AND e.id >= ?
            ON CONFLICT DO NOTHING""";
    /** The first unfinished delivery of each topic of a group, and whether it is due. */
    private static final String TOPIC_HEADS = """
            SELECT DISTINCT ON (topic) topic, run_at <= now() AS due
            FROM {schema}.domain_event_deliveries WHERE group_name = ? AND state = 'available'
            ORDER BY topic, event_row""";
    private static final String TRY_TOPIC = "SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))";
    private static final String UNLOCK_TOPIC = "SELECT pg_advisory_unlock(hashtext(?), hashtext(?))";
    private static final String FETCH_TOPIC = """
            SELECT d.event_row, d.attempts, d.run_at <= now() AS due, e.payload
            FROM {schema}.domain_event_deliveries d JOIN {schema}.domain_events e ON e.id = d.event_row
            WHERE d.group_name = ? AND d.topic = ? AND d.state = 'available'
            ORDER BY d.event_row LIMIT ?""";
    private static final String MARK_DONE = """
            UPDATE {schema}.domain_event_deliveries SET state = 'done', finished_at = now()
            WHERE group_name = ? AND event_row = ANY(?)""";
    private static final String MARK_RETRY = """
            UPDATE {schema}.domain_event_deliveries
            SET attempts = attempts + 1, run_at = now() + ?::interval, last_error = ?
            WHERE group_name = ? AND event_row = ?""";
    private static final String MARK_DEAD = """
            UPDATE {schema}.domain_event_deliveries
            SET attempts = attempts + 1, state = 'dead', last_error = ?, finished_at = now()
            WHERE group_name = ? AND event_row = ?""";
    private static final String LIST_DEAD = """
            SELECT d.event_row, d.attempts, d.last_error, e.payload
            FROM {schema}.domain_event_deliveries d JOIN {schema}.domain_events e ON e.id = d.event_row
            WHERE d.group_name = ? AND d.state = 'dead' ORDER BY d.event_row LIMIT ?""";
    private static final String REDRIVE = """
            UPDATE {schema}.domain_event_deliveries
            SET state = 'available', attempts = 0, run_at = now(), last_error = NULL, finished_at = NULL
            WHERE group_name = ? AND event_row = ? AND state = 'dead'""";
    private static final String PRUNE_DELIVERIES = """
            DELETE FROM {schema}.domain_event_deliveries WHERE state = 'done' AND finished_at < ?""";
    private static final String PRUNE_EVENTS = """
            DELETE FROM {schema}.domain_events e WHERE e.created_at < ?
            AND NOT EXISTS (SELECT 1 FROM {schema}.domain_event_deliveries d WHERE d.event_row = e.id)""";

    /**
     * Batch subscriptions: a lease on the due deliveries of a group (SKIP LOCKED, so competing instances take
     * different ones). The delivery count grows at the claim and the lease runs for ackWait: a worker that
     * dies leaves its deliveries due again when the lease ends.
     */
    private static final String CLAIM_BATCH = """
            WITH claimed AS (
                SELECT event_row FROM {schema}.domain_event_deliveries
                WHERE group_name = ? AND state = 'available' AND run_at <= now()
                ORDER BY event_row LIMIT ? FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.domain_event_deliveries d SET attempts = d.attempts + 1, run_at = now() + ?::interval
            FROM claimed c, {schema}.domain_events e
            WHERE d.group_name = ? AND d.event_row = c.event_row AND e.id = d.event_row
            RETURNING d.event_row, d.attempts, e.event_type, e.payload""";
    /** A claimed delivery handed back: due again after the delay (its count already grew at the claim). */
    private static final String RELEASE_CLAIM = """
            UPDATE {schema}.domain_event_deliveries SET run_at = now() + ?::interval, last_error = ?
            WHERE group_name = ? AND event_row = ? AND state = 'available'""";
    /** A claimed delivery the handler refused: finished, not dead (the reason is kept). */
    private static final String TERMINATE_CLAIM = """
            UPDATE {schema}.domain_event_deliveries SET state = 'done', last_error = ?, finished_at = now()
            WHERE group_name = ? AND event_row = ? AND state = 'available'""";
    /** A claimed delivery that failed on its last allowed delivery. */
    private static final String KILL_CLAIM = """
            UPDATE {schema}.domain_event_deliveries SET state = 'dead', last_error = ?, finished_at = now()
            WHERE group_name = ? AND event_row = ? AND state = 'available'""";
    private static final String DELETE_GROUP = "DELETE FROM {schema}.domain_event_groups WHERE group_name = ?";
    private static final String DELETE_GROUP_DELIVERIES =
            "DELETE FROM {schema}.domain_event_deliveries WHERE group_name = ?";
    /** A group's unfinished deliveries: never delivered (pending), and delivered at least once (unsettled). */
    private static final String GROUP_BACKLOG = """
            SELECT count(*) FILTER (WHERE d.attempts = 0), count(*) FILTER (WHERE d.attempts > 0)
            FROM {schema}.domain_event_groups g
            LEFT JOIN {schema}.domain_event_deliveries d ON d.group_name = g.group_name AND d.state = 'available'
            WHERE g.group_name = ? GROUP BY g.group_name""";
    private static final String LAST_SEQUENCE = "SELECT coalesce(max(id), 0) FROM {schema}.domain_events";
    private static final String READ_FROM = """
            SELECT id, event_type, payload FROM {schema}.domain_events WHERE id >= ? ORDER BY id LIMIT ?""";
    private static final String READ_NEWEST = """
            SELECT id, event_type, payload FROM (
                SELECT id, event_type, payload FROM {schema}.domain_events ORDER BY id DESC LIMIT ?) newest
            ORDER BY id""";
    private static final String STREAM_STATS = """
            SELECT count(*), coalesce(sum(octet_length(payload)), 0), coalesce(min(id), 0), coalesce(max(id), 0)
            FROM {schema}.domain_events""";

    public final String schema;
    public final String claimBatch;
    public final String releaseClaim;
    public final String terminateClaim;
    public final String killClaim;
    public final String deleteGroup;
    public final String deleteGroupDeliveries;
    public final String lastSequence;
    public final String groupBacklog;
    public final String readFrom;
    public final String readNewest;
    public final String streamStats;
    public final String lockGroupsShared = LOCK_GROUPS_SHARED;
    public final String lockGroups = LOCK_GROUPS;
    public final String tryTopic = TRY_TOPIC;
    public final String unlockTopic = UNLOCK_TOPIC;
    public final String insertEvent;
    public final String findEvent;
    public final String fanOut;
    public final String upsertGroup;
    public final String backfill;
    public final String topicHeads;
    public final String fetchTopic;
    public final String markDone;
    public final String markRetry;
    public final String markDead;
    public final String listDead;
    public final String redrive;
    public final String pruneDeliveries;
    public final String pruneEvents;

    private BusSql(String schema) {
        this.schema = schema;
        this.claimBatch = in(CLAIM_BATCH);
        this.releaseClaim = in(RELEASE_CLAIM);
        this.terminateClaim = in(TERMINATE_CLAIM);
        this.killClaim = in(KILL_CLAIM);
        this.deleteGroup = in(DELETE_GROUP);
        this.deleteGroupDeliveries = in(DELETE_GROUP_DELIVERIES);
        this.lastSequence = in(LAST_SEQUENCE);
        this.groupBacklog = in(GROUP_BACKLOG);
        this.readFrom = in(READ_FROM);
        this.readNewest = in(READ_NEWEST);
        this.streamStats = in(STREAM_STATS);
        this.insertEvent = in(INSERT_EVENT);
        this.findEvent = in(FIND_EVENT);
        this.fanOut = in(FAN_OUT);
        this.upsertGroup = in(UPSERT_GROUP);
        this.backfill = in(BACKFILL);
        this.topicHeads = in(TOPIC_HEADS);
        this.fetchTopic = in(FETCH_TOPIC);
        this.markDone = in(MARK_DONE);
        this.markRetry = in(MARK_RETRY);
        this.markDead = in(MARK_DEAD);
        this.listDead = in(LIST_DEAD);
        this.redrive = in(REDRIVE);
        this.pruneDeliveries = in(PRUNE_DELIVERIES);
        this.pruneEvents = in(PRUNE_EVENTS);
    }

    private String in(String statement) {
        return statement.replace("{schema}", schema);
    }

    public static BusSql in(Sql sql) {
        return new BusSql(sql.schema);
    }
}
