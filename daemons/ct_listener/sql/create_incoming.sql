-- Per-connection staging: a batch that collides with stored keys (a resend) is
-- copied here, then moved into
-- timing_reads with ON CONFLICT DO NOTHING (COPY itself cannot skip conflicts).
CREATE TEMP TABLE IF NOT EXISTS incoming_reads (
    id              BIGINT,
    session_id      INTEGER,
    location_id     INTEGER,
    stream_number   SMALLINT,
    sequence_number INTEGER,
    location_name   VARCHAR(100),
    tag_code        VARCHAR(8),
    read_time       TIME,
    read_date       DATE,
    read_timestamp  TIMESTAMPTZ,
    lap_count       INTEGER,
    reader_id       VARCHAR(6),
    gator_number    INTEGER,
    raw_data        TEXT
) ON COMMIT DELETE ROWS
