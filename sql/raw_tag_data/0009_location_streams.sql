-- depends: 0008_archiver_runs_in_progress
-- One location, one stream (ctp01.md §4): within a session, a location's
-- sequence numbers belong to the controller buffer that opened it. A second
-- buffer under the same name (a controller restarted with a fresh buffer, or a
-- second login squatting the name) gets a stream of its own, so its sequence 1
-- can never pass for, or shadow, the first buffer's sequence 1. Streams are
-- numbered from 1 per (session, location); everything stored before this
-- migration is stream 1.

CREATE TABLE timing_location_streams (
    session_id     INTEGER NOT NULL REFERENCES timing_sessions(id),
    location_name  VARCHAR(100) NOT NULL,
    stream_number  SMALLINT NOT NULL CHECK (stream_number >= 1),
    owner_user     TEXT NOT NULL DEFAULT '',
    connection_id  TEXT NOT NULL DEFAULT '',
    client_ip      INET,
    opened_at      TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    claimed_at     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- why the stream exists: 'first', 'different buffer' (sequence 1 differed),
    -- 'shorter buffer' (the client refused the resume point)
    reason         TEXT NOT NULL,
    PRIMARY KEY (session_id, location_name, stream_number)
);

-- Every table keyed by a CTP01 sequence number: the stream joins the key.
ALTER TABLE timing_reads ADD COLUMN stream_number SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE timing_reads_archive ADD COLUMN stream_number SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE timing_gun_times ADD COLUMN stream_number SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE timing_rejected_reads ADD COLUMN stream_number SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE timing_read_conflicts ADD COLUMN stream_number SMALLINT NOT NULL DEFAULT 1;

DO $$
DECLARE
    keyed TEXT;
    old_key RECORD;
BEGIN
    FOREACH keyed IN ARRAY ARRAY['timing_reads', 'timing_reads_archive', 'timing_gun_times',
                                 'timing_rejected_reads'] LOOP
        FOR old_key IN
            SELECT conname FROM pg_constraint
            WHERE conrelid = keyed::regclass AND contype = 'u'
        LOOP
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', keyed, old_key.conname);
        END LOOP;
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE '
                       '(session_id, sequence_number, location_name, stream_number)',
                       keyed, keyed || '_stream_key');
    END LOOP;
END;
$$;

-- Migrations are history: the mover of 0005 is restated here with the new column,
-- because an explicit column list (see 0003) cannot pick it up by itself.
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
                  t.reader_id, t.gator_number, t.raw_data, t.processed_at, t.stream_number
    )
    INSERT INTO timing_reads_archive
        (id, session_id, location_id, sequence_number, location_name, tag_code,
         read_time, read_date, read_timestamp, lap_count, reader_id,
         gator_number, raw_data, processed_at, stream_number, archived_at)
    SELECT id, session_id, location_id, sequence_number, location_name, tag_code,
           read_time, read_date, read_timestamp, lap_count, reader_id,
           gator_number, raw_data, processed_at, stream_number, CURRENT_TIMESTAMP
    FROM archived;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END;
$$ LANGUAGE plpgsql;

-- The documented function, kept callable as documented, now one call of the batch
-- mover above: a single column list to keep in step with the tables.
CREATE OR REPLACE FUNCTION archive_old_timing_data()
RETURNS INTEGER AS $$
DECLARE
    archived_count INTEGER;
BEGIN
    archived_count := archive_timing_batch(CURRENT_TIMESTAMP - INTERVAL '30 days', 2147483647);

    INSERT INTO connection_log (client_ip, session_info, message_count)
    VALUES ('127.0.0.1'::INET,
            jsonb_build_object('action', 'archive', 'archived_count', archived_count),
            archived_count);

    RETURN archived_count;
END;
$$ LANGUAGE plpgsql;

GRANT SELECT, INSERT, UPDATE ON timing_location_streams TO p88_ingest;
GRANT SELECT ON timing_location_streams TO p88_display;
