package dev.spine.gateway;

/**
 * Every statement of the event bus, in one place. {@code {schema}} is replaced by the (validated) schema
 * name once, at start; values are always bound parameters.
 */
final class BusSql {
    final String insertPublisher;
    final String listPublishers;
    final String publisherByKeyHash;
    final String deletePublisher;
    final String rotatePublisherKey;
    final String insertReceipt;
    final String receiptByEventId;
    final String insertEvents;
    final String eventById;
    final String findEvents;
    final String partitionHistory;
    final String insertSubscription;
    final String listSubscriptions;
    final String subscriptionById;
    final String deleteSubscription;
    final String insertDeadLetter;
    final String listDeadLetters;
    final String deadLetterById;
    final String deleteDeadLetter;
    final String failedRetry;
    final String claimDelivery;
    final String pruneClaims;
    final String pruneEvents;
    final String pruneReceipts;
    final String adaptedShapes;

    BusSql(String schema) {
        insertPublisher = s(schema, "insert into {schema}.bus_publisher (id, name, allowed_types, key_hash, key_prefix, "
                + "created_at) values (?, ?, ?, ?, ?, ?) on conflict (name) do nothing");
        listPublishers = s(schema, "select id, name, allowed_types, key_prefix, created_at from {schema}.bus_publisher "
                + "order by name");
        publisherByKeyHash = s(schema, "select id, name, allowed_types, key_prefix, created_at from "
                + "{schema}.bus_publisher where key_hash = ?");
        deletePublisher = s(schema, "delete from {schema}.bus_publisher where id = ?");
        rotatePublisherKey = s(schema, "update {schema}.bus_publisher set key_hash = ?, key_prefix = ? where id = ? "
                + "returning id, name, allowed_types, key_prefix, created_at");
        insertReceipt = s(schema, "insert into {schema}.bus_receipt (event_id, stream, stream_seq, event_timestamp, "
                + "publisher_id, accepted_at) values (?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing");
        receiptByEventId = s(schema, "select stream, stream_seq, event_timestamp from {schema}.bus_receipt "
                + "where event_id = ?");
        insertEvents = s(schema, "insert into {schema}.bus_event (event_id, stream, stream_seq, event_type, source, "
                + "correlation_id, partition_key, occurred_at, envelope) "
                + "select e, ?, q, t, s, c, p, o::timestamptz, v::jsonb from unnest(?::uuid[], ?::bigint[], ?::text[], "
                + "?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[]) as x(e, q, t, s, c, p, o, v) "
                + "on conflict (event_id) do nothing");
        // the time index bounds the scan; only adapted events carry the extension (see EnvelopeAdapter)
        adaptedShapes = s(schema, "select envelope->'adaptedFrom'->>'shape', source, count(*), min(occurred_at), "
                + "max(occurred_at) from {schema}.bus_event where occurred_at >= ? and envelope->'adaptedFrom' is not null "
                + "group by 1, 2 order by 3 desc, 1, 2");
        String columns = "select stream, stream_seq, envelope::text from {schema}.bus_event ";
        eventById = s(schema, columns + "where event_id = ?");
        // optional filters are bound as nulls: one plan, no statement assembled from input
        findEvents = s(schema, columns + "where stream_seq > ? "
                + "and (?::text is null or event_type = ?::text) "
                + "and (?::text is null or source = ?::text) "
                + "and (?::uuid is null or correlation_id = ?::uuid) "
                + "and (?::timestamptz is null or occurred_at >= ?::timestamptz) "
                + "and (?::timestamptz is null or occurred_at < ?::timestamptz) "
                + "order by stream_seq limit ?");
        partitionHistory = s(schema, columns + "where partition_key = ? and stream_seq > ? order by stream_seq limit ?");
        String subscriptionColumns = "select id, name, event_types, filters::text, mode, url, secret, guarantee, "
                + "max_attempts, timeout_ms, created_at, start_seq from {schema}.bus_subscription ";
        insertSubscription = s(schema, "insert into {schema}.bus_subscription (id, name, event_types, filters, mode, url, "
                + "secret, guarantee, max_attempts, timeout_ms, created_at, start_seq) "
                + "values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)");
        listSubscriptions = s(schema, subscriptionColumns + "order by created_at, id");
        subscriptionById = s(schema, subscriptionColumns + "where id = ?");
        deleteSubscription = s(schema, "delete from {schema}.bus_subscription where id = ?");
        insertDeadLetter = s(schema, "insert into {schema}.bus_dead_letter (subscription_id, event_id, stream_seq, "
                + "envelope, attempts, last_status, last_error, created_at, updated_at) "
                + "values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)");
        String deadColumns = "select id, subscription_id, event_id, stream_seq, envelope::text, attempts, last_status, "
                + "last_error, created_at, updated_at from {schema}.bus_dead_letter ";
        listDeadLetters = s(schema, deadColumns + "where id < ? and (?::uuid is null or subscription_id = ?::uuid) "
                + "order by id desc limit ?");
        deadLetterById = s(schema, deadColumns + "where id = ?");
        deleteDeadLetter = s(schema, "delete from {schema}.bus_dead_letter where id = ?");
        failedRetry = s(schema, "update {schema}.bus_dead_letter set attempts = attempts + 1, last_status = ?, "
                + "last_error = ?, updated_at = ? where id = ?");
        claimDelivery = s(schema, "insert into {schema}.bus_delivery_claim (subscription_id, event_id, claimed_at) "
                + "values (?, ?, ?) on conflict do nothing");
        pruneClaims = s(schema, "delete from {schema}.bus_delivery_claim where claimed_at < ?");
        // in slices, so one prune never holds a long transaction over a large table
        pruneEvents = s(schema, "delete from {schema}.bus_event where event_id in (select event_id from "
                + "{schema}.bus_event where stored_at < ? limit ?)");
        pruneReceipts = s(schema, "delete from {schema}.bus_receipt where event_id in (select event_id from "
                + "{schema}.bus_receipt where accepted_at < ? limit ?)");
    }

    private static String s(String schema, String sql) {
        return sql.replace("{schema}", schema);
    }
}
