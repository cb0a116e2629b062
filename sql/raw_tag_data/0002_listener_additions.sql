-- depends: 0001_documented_schema
-- What the exactly-once listener and the display need beyond the documented
-- schema. Every table keyed by a CTP01 sequence number uses the same key as
-- timing_reads, so the listener's "highest gap-free sequence" covers them all.

-- At most one active session: two listeners racing to open one cannot both win.
CREATE UNIQUE INDEX timing_sessions_one_active ON timing_sessions ((status)) WHERE status = 'active';
ALTER TABLE timing_sessions ADD COLUMN time_zone TEXT;

-- A location exists once per session; the listener upserts it on first sight.
ALTER TABLE timing_locations
    ADD CONSTRAINT timing_locations_session_name_key UNIQUE (session_id, location_name);

-- Gun starts (tag GUNTIME): they use up a sequence number but are not athlete reads.
CREATE TABLE timing_gun_times (
    id              BIGSERIAL PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES timing_sessions(id),
    location_id     INTEGER REFERENCES timing_locations(id),
    sequence_number INTEGER NOT NULL,
    location_name   VARCHAR(100) NOT NULL,
    gun_time        TIME NOT NULL,
    gun_date        DATE NOT NULL,
    gun_timestamp   TIMESTAMPTZ NOT NULL,
    reader_id       VARCHAR(6),
    raw_data        TEXT NOT NULL,
    processed_at    TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (session_id, sequence_number, location_name)
);

-- Lines that carried a usable (location, sequence) but failed validation
-- (tag too long, bad time, ...). Keeping them keeps the sequence gap-free, so
-- the listener does not ask the client again and again for a line it will
-- never accept, and an operator can see exactly what arrived.
CREATE TABLE timing_rejected_reads (
    id              BIGSERIAL PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES timing_sessions(id),
    sequence_number INTEGER NOT NULL,
    location_name   VARCHAR(100) NOT NULL,
    reason          TEXT NOT NULL,
    raw_data        TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (session_id, sequence_number, location_name)
);

-- The same key arriving again with different content: the first stays in
-- timing_reads, the later offer is recorded here and never overwrites it.
CREATE TABLE timing_read_conflicts (
    id              BIGSERIAL PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES timing_sessions(id),
    sequence_number INTEGER NOT NULL,
    location_name   VARCHAR(100) NOT NULL,
    kept_raw_data   TEXT,
    offered_raw_data TEXT NOT NULL,
    detected_at     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_timing_read_conflicts_key
    ON timing_read_conflicts (session_id, location_name, sequence_number);

-- Bib -> runner details for the race display (loaded by `project88 roster import`).
CREATE TABLE race_roster (
    bib        VARCHAR(8) PRIMARY KEY,
    first_name TEXT,
    last_name  TEXT,
    city       TEXT,
    state      TEXT,
    country    TEXT,
    age        INTEGER,
    gender     TEXT,
    division   TEXT,
    message    TEXT,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
