-- spine-jobs schema, version 3: the hot table loses its correlation_id index. Jobs from events all carry
-- a correlation id, so every insert and every claim (a non-HOT update) paid a B-tree insert for an index
-- only an operator's lookup reads; the hot table holds only waiting and running jobs, so that lookup
-- scans it, and finished jobs are found through job_archive's index as before.
drop index if exists ${schema}.job_correlation;
