-- spine-jobs schema, version 2: payloads are stored as json, not jsonb. The queue never looks inside a
-- payload, so jsonb's parsing on every insert and re-serialising on every fetch was pure cost (about 40%
-- of PostgreSQL's work per inserted job on the bench machine); json validates the text and keeps it
-- exactly as enqueued, so a handler gets back the bytes that were sent. Rewrites the three tables.
alter table ${schema}.job alter column payload type json using payload::json;
alter table ${schema}.job_archive alter column payload type json using payload::json;
alter table ${schema}.dead_job alter column payload type json using payload::json;
