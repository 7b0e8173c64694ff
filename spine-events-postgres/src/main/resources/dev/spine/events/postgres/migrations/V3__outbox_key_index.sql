-- Immediate mode asks "is an earlier event of this key still unsent?" after each commit.
CREATE INDEX outbox_unsent_key ON ${schema}.outbox (partition_key, id) WHERE sent_at IS NULL;
