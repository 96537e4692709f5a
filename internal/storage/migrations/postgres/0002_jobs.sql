-- Periodic jobs (session clean-up, and later expiring holds and notices) run
-- once per cluster, not once per node: a node runs a job only when it claims
-- the job's next run here, by moving next_run_at on.
CREATE TABLE jobs (
    name        text        NOT NULL PRIMARY KEY,
    next_run_at timestamptz NOT NULL,
    runs        bigint      NOT NULL DEFAULT 0 CHECK (runs >= 0),
    last_run_at timestamptz NULL
);
