-- The raw_tag_data schema of the platform documentation, with the documented
-- table and column names (external tools query them). One deliberate change:
-- instants are TIMESTAMPTZ, so a read is one unambiguous moment whatever the
-- server's zone; read_date/read_time stay the event's local wall clock.

CREATE TABLE timing_sessions (
    id           SERIAL PRIMARY KEY,
    session_name VARCHAR(255) NOT NULL,
    event_name   VARCHAR(255),
    start_time   TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    end_time     TIMESTAMPTZ,
    status       VARCHAR(50) DEFAULT 'active',
    created_at   TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE timing_locations (
    id            SERIAL PRIMARY KEY,
    session_id    INTEGER REFERENCES timing_sessions(id),
    location_name VARCHAR(100) NOT NULL,
    description   VARCHAR(255),
    reader_id     VARCHAR(6),
    created_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE timing_reads (
    id              BIGSERIAL PRIMARY KEY,
    session_id      INTEGER REFERENCES timing_sessions(id),
    location_id     INTEGER REFERENCES timing_locations(id),
    sequence_number INTEGER,
    location_name   VARCHAR(100),
    tag_code        VARCHAR(8) NOT NULL,
    read_time       TIME NOT NULL,
    read_date       DATE DEFAULT CURRENT_DATE,
    read_timestamp  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    lap_count       INTEGER DEFAULT 1,
    reader_id       VARCHAR(6),
    gator_number    INTEGER DEFAULT 0,
    raw_data        TEXT,
    processed_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (session_id, sequence_number, location_name)
);

CREATE TABLE connection_log (
    id              SERIAL PRIMARY KEY,
    client_ip       INET,
    connected_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    disconnected_at TIMESTAMPTZ,
    session_info    JSONB,
    message_count   INTEGER DEFAULT 0
);

CREATE TABLE timing_reads_archive (
    LIKE timing_reads INCLUDING ALL,
    archived_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);

-- The four documented indexes.
CREATE INDEX idx_timing_reads_session_location ON timing_reads (session_id, location_id);
CREATE INDEX idx_timing_reads_tag_time ON timing_reads (tag_code, read_timestamp);
CREATE INDEX idx_timing_reads_timestamp ON timing_reads (read_timestamp DESC);
CREATE INDEX idx_timing_reads_location_name ON timing_reads (location_name, read_timestamp);
