-- depends: 0004_roster_tags
-- What the archiver daemon needs: moving reads to the archive in short
-- batches, and a record of its runs (so a run missed while the machine was
-- down is made up once at start, and operators can see what happened).

-- One batch: at most batch_size reads older than cutoff, moved in the
-- caller's transaction. DELETE … RETURNING feeds the INSERT, so a row is in
-- exactly one of the two tables whatever happens; SKIP LOCKED lets a second
-- mover (never expected: the daemon takes an advisory lock) pass by rows the
-- first one holds instead of queueing behind it. Oldest first, via
-- idx_timing_reads_timestamp.
CREATE OR REPLACE FUNCTION archive_timing_batch(cutoff TIMESTAMPTZ, batch_size INTEGER)
RETURNS INTEGER AS $$
DECLARE
    moved INTEGER;
BEGIN
    WITH batch AS (
        SELECT id FROM timing_reads
        WHERE read_timestamp < cutoff
        ORDER BY read_timestamp
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED
    ), archived AS (
        DELETE FROM timing_reads AS t
        USING batch
        WHERE t.id = batch.id
        RETURNING t.id, t.session_id, t.location_id, t.sequence_number, t.location_name,
                  t.tag_code, t.read_time, t.read_date, t.read_timestamp, t.lap_count,
                  t.reader_id, t.gator_number, t.raw_data, t.processed_at
    )
    INSERT INTO timing_reads_archive
        (id, session_id, location_id, sequence_number, location_name, tag_code,
         read_time, read_date, read_timestamp, lap_count, reader_id,
         gator_number, raw_data, processed_at, archived_at)
    SELECT id, session_id, location_id, sequence_number, location_name, tag_code,
           read_time, read_date, read_timestamp, lap_count, reader_id,
           gator_number, raw_data, processed_at, CURRENT_TIMESTAMP
    FROM archived;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE archiver_runs (
    id          BIGSERIAL PRIMARY KEY,
    job         TEXT NOT NULL,           -- 'archive', 'backup', 'close-sessions'
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    outcome     TEXT NOT NULL,           -- 'done', 'partial', 'skipped', 'failed'
    summary     JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_archiver_runs_job_started ON archiver_runs (job, started_at DESC);
