-- project88_myappdb: the results platform's tables, with the documented names.
-- The documentation counts 17 tables and names 16; the 17th is
-- raceroster_events (Race Roster is a registration provider beside RunSignUp,
-- and its events carry fees the questions ask about). Every partner-owned
-- table carries timing_partner_id itself, so that row-level security is one
-- indexed comparison per row, never a join.

CREATE EXTENSION IF NOT EXISTS pgcrypto;  -- provider credentials are encrypted

CREATE TABLE timing_partners (
    id            SERIAL PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    slug          TEXT NOT NULL UNIQUE,
    contact_email TEXT,
    phone         TEXT,
    website       TEXT,
    city          TEXT,
    state         TEXT,
    country       TEXT NOT NULL DEFAULT 'US',
    is_active     BOOLEAN NOT NULL DEFAULT true,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE providers (
    id           SERIAL PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,       -- ChronoTrack, RunSignUp, Race Roster, Haku
    slug         TEXT NOT NULL UNIQUE,
    api_base_url TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Staff accounts. Passwords and API keys are stored as hashes only
-- (crypt() bcrypt for passwords, SHA-256 hex for API keys, which are long
-- random tokens). A platform admin has no partner.
CREATE TABLE users (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER REFERENCES timing_partners(id),
    email             TEXT NOT NULL UNIQUE,
    full_name         TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'viewer')),
    password_hash     TEXT,
    api_key_sha256    TEXT UNIQUE CHECK (api_key_sha256 ~ '^[0-9a-f]{64}$'),
    is_active         BOOLEAN NOT NULL DEFAULT true,
    last_login_at     TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (role = 'admin' OR timing_partner_id IS NOT NULL)
);

CREATE TABLE partner_provider_credentials (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_id       INTEGER NOT NULL REFERENCES providers(id),
    account_name      TEXT,
    api_key_encrypted BYTEA,                 -- pgp_sym_encrypt(key, <secret from the vault>)
    secret_encrypted  BYTEA,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (timing_partner_id, provider_id)
);

CREATE TABLE timing_partner_haku_orgs (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    haku_org_id       TEXT NOT NULL UNIQUE,
    org_name          TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- ChronoTrack results: event -> races -> participants -> results.
CREATE TABLE ct_events (
    id                BIGINT PRIMARY KEY,     -- ChronoTrack's event id
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    name              TEXT NOT NULL,          -- the series name: "Boston Marathon"
    event_date        DATE NOT NULL,
    end_date          DATE,
    city              TEXT,
    state             TEXT,
    country           TEXT NOT NULL DEFAULT 'US',
    time_zone         TEXT NOT NULL DEFAULT 'America/New_York',
    status            TEXT NOT NULL DEFAULT 'completed'
                      CHECK (status IN ('upcoming', 'active', 'completed', 'cancelled')),
    website           TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ct_events_name_date ON ct_events (lower(name), event_date);
CREATE INDEX ct_events_partner_date ON ct_events (timing_partner_id, event_date);
CREATE INDEX ct_events_status ON ct_events (status) WHERE status IN ('upcoming', 'active');

CREATE TABLE ct_races (
    id                BIGINT PRIMARY KEY,
    event_id          BIGINT NOT NULL REFERENCES ct_events(id),
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    name              TEXT NOT NULL,          -- "Marathon", "Half Marathon", "5K"
    distance_km       NUMERIC(7, 3) NOT NULL,
    start_time        TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ct_races_event ON ct_races (event_id);
CREATE INDEX ct_races_distance ON ct_races (distance_km);

CREATE TABLE ct_participants (
    id                BIGINT PRIMARY KEY,
    race_id           BIGINT NOT NULL REFERENCES ct_races(id),
    event_id          BIGINT NOT NULL REFERENCES ct_events(id),
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    bib               TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    sex               CHAR(1) NOT NULL CHECK (sex IN ('M', 'F', 'X')),
    age               SMALLINT CHECK (age BETWEEN 1 AND 120),
    city              TEXT,
    state             TEXT,
    country           TEXT NOT NULL DEFAULT 'US',
    email             TEXT,
    phone             TEXT,
    registered_at     TIMESTAMPTZ,
    UNIQUE (race_id, bib)
);
CREATE INDEX ct_participants_name ON ct_participants (lower(last_name), lower(first_name));
CREATE INDEX ct_participants_event ON ct_participants (event_id);

-- One row per participant per timing point crossed: the splits (5K, 10K,
-- Half, 30K…) and the finish. A finisher's result is the row whose
-- timing_point is 'Finish' (the documentation's 8.2 million results over 1.8
-- million participants are these splits). A DNF has splits but no finish row
-- with status 'finished'.
CREATE TABLE ct_results (
    id                BIGINT PRIMARY KEY,
    participant_id    BIGINT NOT NULL REFERENCES ct_participants(id),
    race_id           BIGINT NOT NULL REFERENCES ct_races(id),
    event_id          BIGINT NOT NULL REFERENCES ct_events(id),
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    timing_point      TEXT NOT NULL DEFAULT 'Finish',
    split_km          NUMERIC(7, 3),
    status            TEXT NOT NULL DEFAULT 'finished'
                      CHECK (status IN ('finished', 'dnf', 'dns', 'dq')),
    chip_time         INTERVAL,
    gun_time          INTERVAL,
    pace_per_mile     INTERVAL,
    overall_place     INTEGER,
    sex_place         INTEGER,
    division          TEXT,                   -- "M 40-44"
    division_place    INTEGER,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (participant_id, timing_point)
);
-- Finishers of a race by time: counts under a threshold, fastest N, medians.
CREATE INDEX ct_results_finish_time ON ct_results (race_id, chip_time)
    WHERE timing_point = 'Finish' AND status = 'finished';
CREATE INDEX ct_results_event ON ct_results (event_id);

CREATE TABLE event_weather (
    id                SERIAL PRIMARY KEY,
    ct_event_id       BIGINT NOT NULL REFERENCES ct_events(id),
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    observed_at       TIMESTAMPTZ NOT NULL,
    temperature_c     NUMERIC(4, 1),
    humidity_pct      SMALLINT,
    wind_kph          NUMERIC(5, 1),
    conditions        TEXT
);
CREATE INDEX event_weather_event ON event_weather (ct_event_id);

-- The provider-neutral event catalogue (what the platform syncs).
CREATE TABLE events (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_id       INTEGER NOT NULL REFERENCES providers(id),
    provider_event_id TEXT NOT NULL,
    name              TEXT NOT NULL,
    event_date        DATE,
    city              TEXT,
    state             TEXT,
    is_active         BOOLEAN NOT NULL DEFAULT true,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (provider_id, provider_event_id)
);
CREATE INDEX events_partner ON events (timing_partner_id, event_date);

-- Registration providers.
CREATE TABLE runsignup_events (
    id                  BIGINT PRIMARY KEY,   -- RunSignUp's race id
    timing_partner_id   INTEGER NOT NULL REFERENCES timing_partners(id),
    name                TEXT NOT NULL,
    event_date          DATE NOT NULL,
    city                TEXT,
    state               TEXT,
    registration_opens  DATE,
    registration_closes DATE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runsignup_events_partner ON runsignup_events (timing_partner_id, event_date);

CREATE TABLE runsignup_races (
    id                 BIGINT PRIMARY KEY,
    runsignup_event_id BIGINT NOT NULL REFERENCES runsignup_events(id),
    timing_partner_id  INTEGER NOT NULL REFERENCES timing_partners(id),
    name               TEXT NOT NULL,
    distance_km        NUMERIC(7, 3),
    start_time         TIMESTAMPTZ,
    registration_fee   NUMERIC(8, 2) NOT NULL,
    participant_cap    INTEGER
);
CREATE INDEX runsignup_races_event ON runsignup_races (runsignup_event_id);

CREATE TABLE runsignup_participants (
    id                SERIAL PRIMARY KEY,
    runsignup_race_id BIGINT NOT NULL REFERENCES runsignup_races(id),
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    bib               TEXT,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    sex               CHAR(1) CHECK (sex IN ('M', 'F', 'X')),
    age               SMALLINT,
    city              TEXT,
    state             TEXT,
    email             TEXT,
    phone             TEXT,
    registered_at     TIMESTAMPTZ NOT NULL,
    amount_paid       NUMERIC(8, 2) NOT NULL
);
CREATE INDEX runsignup_participants_race ON runsignup_participants (runsignup_race_id);

CREATE TABLE raceroster_events (
    id                  BIGINT PRIMARY KEY,   -- Race Roster's event id
    timing_partner_id   INTEGER NOT NULL REFERENCES timing_partners(id),
    name                TEXT NOT NULL,
    event_date          DATE NOT NULL,
    city                TEXT,
    state               TEXT,
    registration_fee    NUMERIC(8, 2),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX raceroster_events_partner ON raceroster_events (timing_partner_id, event_date);

-- Synchronisation with the providers.
CREATE TABLE sync_history (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_id       INTEGER NOT NULL REFERENCES providers(id),
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    records_synced    INTEGER NOT NULL DEFAULT 0,
    error             TEXT
);
CREATE INDEX sync_history_partner ON sync_history (timing_partner_id, started_at DESC);

CREATE TABLE sync_queue (
    id                SERIAL PRIMARY KEY,
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_id       INTEGER NOT NULL REFERENCES providers(id),
    job_type          TEXT NOT NULL,
    payload           JSONB NOT NULL DEFAULT '{}',
    status            TEXT NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'done', 'failed')),
    priority          SMALLINT NOT NULL DEFAULT 5,
    attempts          SMALLINT NOT NULL DEFAULT 0,
    scheduled_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sync_queue_due ON sync_queue (status, priority, scheduled_at);

-- Boston Marathon qualifying standards by edition, sex and age band: data,
-- so a new edition's standards are an INSERT, not a code change.
CREATE TABLE boston_qualifying_standards (
    edition_year    SMALLINT NOT NULL,
    sex             CHAR(1) NOT NULL CHECK (sex IN ('M', 'F', 'X')),
    age_min         SMALLINT NOT NULL,
    age_max         SMALLINT NOT NULL,
    qualifying_time INTERVAL NOT NULL,
    PRIMARY KEY (edition_year, sex, age_min)
);
