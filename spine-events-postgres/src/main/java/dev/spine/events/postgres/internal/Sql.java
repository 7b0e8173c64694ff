package dev.spine.events.postgres.internal;

import dev.spine.postgres.SchemaNames;

/**
 * Every statement of this module, in one place. {@code {schema}} is replaced once, by {@link #in}, with
 * a schema name checked by {@link #checkSchema}; no statement is ever assembled from other input.
 */
public final class Sql {
    /**
     * Serialises the outbox writes of one partition key across transactions (released at commit), so id
     * order is commit order within a key; the relay relies on that for per-key order.
     */
    private static final String ADD = """
            WITH key_lock AS (SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?)))
            INSERT INTO {schema}.outbox (event_id, event_type, partition_key, payload)
            SELECT ?, ?, ?, ? FROM key_lock
            RETURNING id""";
    private static final String ADD_UNKEYED =
            "INSERT INTO {schema}.outbox (event_id, event_type, partition_key, payload) VALUES (?, ?, NULL, ?) RETURNING id";
    /**
     * Unsent rows due now, in id order, leaving out every row of a key that has an earlier row still
     * waiting for its retry: a stuck key holds back only itself, never the rows of other keys behind it.
     */
    private static final String FETCH_DUE = """
            SELECT o.id, o.event_id, o.partition_key, o.payload, o.attempts, o.next_attempt_at, o.created_at
            FROM {schema}.outbox o
            WHERE o.sent_at IS NULL AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
              AND (o.partition_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM {schema}.outbox b
                    WHERE b.partition_key = o.partition_key AND b.sent_at IS NULL AND b.id < o.id
                      AND b.next_attempt_at > ?))
            ORDER BY o.id LIMIT ?""";
    /** The oldest unsent row's creation time (for the lag metric), by the unsent index. */
    private static final String OLDEST_UNSENT =
            "SELECT created_at FROM {schema}.outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1";
    private static final String MARK_SENT = "UPDATE {schema}.outbox SET sent_at = now() WHERE id = ANY(?)";
    /** Immediate mode publishes a key's events only when no earlier one of the key is still unsent. */
    private static final String EARLIER_UNSENT = """
            SELECT EXISTS (SELECT 1 FROM {schema}.outbox WHERE partition_key = ? AND id < ? AND sent_at IS NULL)""";
    private static final String MARK_FAILED = """
            UPDATE {schema}.outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
            WHERE id = ? AND sent_at IS NULL""";
    private static final String DELETE_SENT_BEFORE = """
            DELETE FROM {schema}.outbox WHERE id IN (
                SELECT id FROM {schema}.outbox WHERE sent_at < ? ORDER BY sent_at LIMIT ?)""";
    private static final String UNSENT_STATS =
            "SELECT count(*), min(created_at) FROM {schema}.outbox WHERE sent_at IS NULL";
    /** Moves an unsent outbox row to the dead letters with its attempts and last error; returns the dead letter's id. */
    private static final String DEAD_LETTER = """
            WITH moved AS (DELETE FROM {schema}.outbox WHERE id = ? AND sent_at IS NULL
                           RETURNING id, event_id, event_type, partition_key, payload, created_at)
            INSERT INTO {schema}.outbox_dead_letters
                (outbox_id, event_id, event_type, partition_key, payload, created_at, attempts, last_error, permanent)
            SELECT id, event_id, event_type, partition_key, payload, created_at, ?, ?, ? FROM moved
            RETURNING id""";
    private static final String DEAD_LETTER_COLUMNS = """
            id, outbox_id, event_id, event_type, partition_key, payload, created_at, attempts, last_error, permanent,
            dead_at""";
    /** Newest first, paged by id. */
    private static final String LIST_DEAD_LETTERS = "SELECT " + DEAD_LETTER_COLUMNS
            + " FROM {schema}.outbox_dead_letters WHERE id < ? ORDER BY id DESC LIMIT ?";
    private static final String DEAD_LETTER_BY_ID = "SELECT " + DEAD_LETTER_COLUMNS
            + " FROM {schema}.outbox_dead_letters WHERE id = ?";
    /** Back into the outbox as a new row (the newest of its key), due at once; returns the new outbox id. */
    private static final String REDRIVE_DEAD_LETTER = """
            WITH d AS (DELETE FROM {schema}.outbox_dead_letters WHERE id = ?
                       RETURNING event_id, event_type, partition_key, payload)
            INSERT INTO {schema}.outbox (event_id, event_type, partition_key, payload)
            SELECT event_id, event_type, partition_key, payload FROM d
            RETURNING id""";
    private static final String KEY_LOCK = "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))";
    private static final String DELETE_DEAD_LETTER = "DELETE FROM {schema}.outbox_dead_letters WHERE id = ?";
    private static final String COUNT_DEAD_LETTERS = "SELECT count(*) FROM {schema}.outbox_dead_letters";
    /** Whether the schema has the dead-letter table (an admin tool may point at a schema with no outbox). */
    private static final String DEAD_LETTERS_EXIST = "SELECT to_regclass(?) IS NOT NULL";
    /** Leadership of the relays of one schema: a session lock held as long as the leader's connection lives. */
    private static final String TRY_LEAD = "SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))";

    private static final String CLAIM = """
            INSERT INTO {schema}.processing_log AS p (handler, key, state, lease_until)
            VALUES (?, ?, 'running', now() + ?::interval)
            ON CONFLICT (handler, key) DO UPDATE
                SET lease_until = excluded.lease_until, updated_at = now()
                WHERE p.state = 'running' AND p.lease_until < now()
            RETURNING state""";
    private static final String CLAIM_STATE = "SELECT state FROM {schema}.processing_log WHERE handler = ? AND key = ?";
    private static final String COMPLETE = """
            UPDATE {schema}.processing_log SET state = 'done', updated_at = now() WHERE handler = ? AND key = ?""";
    private static final String RELEASE =
            "DELETE FROM {schema}.processing_log WHERE handler = ? AND key = ? AND state = 'running'";
    private static final String FORGET_DONE_BEFORE = """
            DELETE FROM {schema}.processing_log WHERE state = 'done' AND updated_at < ?""";

    private static final String RECORD_HISTORY = """
            INSERT INTO {schema}.event_history
                (handler, event_id, event_type, correlation_id, delivered_count, outcome, took_micros, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    public final String schema;
    public final String add;
    public final String addUnkeyed;
    public final String fetchDue;
    public final String oldestUnsent;
    public final String markSent;
    public final String earlierUnsent;
    public final String markFailed;
    public final String deleteSentBefore;
    public final String unsentStats;
    public final String deadLetter;
    public final String listDeadLetters;
    public final String deadLetterById;
    public final String redriveDeadLetter;
    public final String keyLock = KEY_LOCK;
    public final String deleteDeadLetter;
    public final String countDeadLetters;
    public final String deadLettersExist = DEAD_LETTERS_EXIST;
    public final String tryLead = TRY_LEAD;
    public final String unlead = "SELECT pg_advisory_unlock(hashtext(?), hashtext(?))";
    public final String claim;
    public final String claimState;
    public final String complete;
    public final String release;
    public final String forgetDoneBefore;
    public final String recordHistory;

    private Sql(String schema) {
        this.schema = schema;
        this.add = ADD.replace("{schema}", schema);
        this.addUnkeyed = ADD_UNKEYED.replace("{schema}", schema);
        this.fetchDue = FETCH_DUE.replace("{schema}", schema);
        this.oldestUnsent = OLDEST_UNSENT.replace("{schema}", schema);
        this.markSent = MARK_SENT.replace("{schema}", schema);
        this.earlierUnsent = EARLIER_UNSENT.replace("{schema}", schema);
        this.markFailed = MARK_FAILED.replace("{schema}", schema);
        this.deleteSentBefore = DELETE_SENT_BEFORE.replace("{schema}", schema);
        this.unsentStats = UNSENT_STATS.replace("{schema}", schema);
        this.deadLetter = DEAD_LETTER.replace("{schema}", schema);
        this.listDeadLetters = LIST_DEAD_LETTERS.replace("{schema}", schema);
        this.deadLetterById = DEAD_LETTER_BY_ID.replace("{schema}", schema);
        this.redriveDeadLetter = REDRIVE_DEAD_LETTER.replace("{schema}", schema);
        this.deleteDeadLetter = DELETE_DEAD_LETTER.replace("{schema}", schema);
        this.countDeadLetters = COUNT_DEAD_LETTERS.replace("{schema}", schema);
        this.claim = CLAIM.replace("{schema}", schema);
        this.claimState = CLAIM_STATE.replace("{schema}", schema);
        this.complete = COMPLETE.replace("{schema}", schema);
        this.release = RELEASE.replace("{schema}", schema);
        this.forgetDoneBefore = FORGET_DONE_BEFORE.replace("{schema}", schema);
        this.recordHistory = RECORD_HISTORY.replace("{schema}", schema);
    }

    /** The statements for {@code schema} (checked first). */
    public static Sql in(String schema) {
        return new Sql(checkSchema(schema));
    }

    /**
     * A plain lower-case SQL identifier, the only kind ever put into a statement ({@link SchemaNames}' rule).
     *
     * @throws IllegalArgumentException naming field {@code schema}
     */
    public static String checkSchema(String schema) {
        return SchemaNames.check(schema);
    }
}
