-- depends: 0006_signed_partner_scope
-- Syncing with the providers (issue 14, daemons/provider_sync).
--
-- 1. Every synced row keeps the provider's own id for it, unique per partner
--    (each table belongs to one provider): RunSignUp registration_id,
--    ChronoTrack entry_id, Race Roster's registration id. Upserts are keyed on
--    them, so running a job twice changes nothing. Rows loaded before (CSV,
--    demo-data) have no provider id: NULL, which a UNIQUE constraint allows
--    any number of times. No existing row is touched.
-- 2. Race Roster registrations get their own table, as RunSignUp's have.
-- 3. The queue: one job per (partner, provider, kind, provider event) at a
--    time, a lease so a killed daemon's job is taken up again, max_retries.
-- 4. Cursors: where each listing's next incremental run starts.
-- 5. providers.rate_limit_per_hour, honoured by the daemon.
-- 6. p88_sync: what the daemon's login role may do. It is neither owner nor
--    BYPASSRLS, so every write passes the partner_isolation policies with the
--    partner whose credentials fetched the rows (app.timing_partner_id).

-- 1. Provider ids -------------------------------------------------------------------
ALTER TABLE runsignup_participants
    ADD COLUMN registration_id BIGINT,
    ADD COLUMN chip            TEXT,
    ADD COLUMN last_modified   TIMESTAMPTZ,
    ADD CONSTRAINT runsignup_participants_partner_registration
        UNIQUE (timing_partner_id, registration_id),
    -- RunSignUp does not promise a registration date on every participant: a
    -- missing one is stored as unknown, not as the time of the sync.
    ALTER COLUMN registered_at DROP NOT NULL;
COMMENT ON COLUMN runsignup_participants.registration_id IS
    'RunSignUp registration_id; NULL for rows that did not come from a sync.';

-- ct_participants.id and ct_results.id had no default: the loader chose them.
-- Synced rows take theirs from a sequence that starts after every existing id.
CREATE SEQUENCE ct_participants_id_seq OWNED BY ct_participants.id;
DO $$ BEGIN
    PERFORM setval('ct_participants_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM ct_participants), false);
END $$;
ALTER TABLE ct_participants
    ALTER COLUMN id SET DEFAULT nextval('ct_participants_id_seq'),
    ADD COLUMN entry_id   BIGINT,
    ADD COLUMN athlete_id BIGINT,
    ADD COLUMN chip       TEXT,
    ADD CONSTRAINT ct_participants_partner_entry UNIQUE (timing_partner_id, entry_id);
COMMENT ON COLUMN ct_participants.entry_id IS
    'ChronoTrack entry_id; NULL for rows that did not come from a sync.';
-- Two runners may swap bibs between two syncs: checked at commit, not row by row.
ALTER TABLE ct_participants
    DROP CONSTRAINT ct_participants_race_id_bib_key,
    ADD CONSTRAINT ct_participants_race_id_bib_key UNIQUE (race_id, bib)
        DEFERRABLE INITIALLY DEFERRED;

CREATE SEQUENCE ct_results_id_seq OWNED BY ct_results.id;
DO $$ BEGIN
    PERFORM setval('ct_results_id_seq', (SELECT COALESCE(max(id), 0) + 1 FROM ct_results), false);
END $$;
ALTER TABLE ct_results
    ALTER COLUMN id SET DEFAULT nextval('ct_results_id_seq'),
    ADD COLUMN last_modified TEXT;
COMMENT ON COLUMN ct_results.last_modified IS
    'ChronoTrack results last_modified, as sent (the results listing''s cursor).';

-- 2. Race Roster registrations -------------------------------------------------------
CREATE TABLE raceroster_registrations (
    id                       SERIAL PRIMARY KEY,
    timing_partner_id        INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_registration_id TEXT NOT NULL,
    raceroster_event_id      BIGINT NOT NULL REFERENCES raceroster_events(id),
    sub_event_id             BIGINT,
    bib                      TEXT,
    chip                     TEXT,
    first_name               TEXT NOT NULL,
    last_name                TEXT NOT NULL,
    -- 'M'/'F'/'X' or NULL; gender_code keeps Race Roster's own code: 0 prefer
    -- not to disclose (NULL), 1 male, 2 female, 8 co-ed team (NULL), 9 non-binary (X).
    sex                      CHAR(1) CHECK (sex IN ('M', 'F', 'X')),
    gender_code              SMALLINT CHECK (gender_code IN (0, 1, 2, 8, 9)),
    age                      SMALLINT,
    city                     TEXT,
    state                    TEXT,
    email                    TEXT,
    phone                    TEXT,
    registered_at            TIMESTAMPTZ,
    amount_paid              NUMERIC(8, 2),
    provider_updated_at      TIMESTAMPTZ,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (timing_partner_id, provider_registration_id)
);
CREATE INDEX raceroster_registrations_event ON raceroster_registrations (raceroster_event_id);

-- 3. The queue ------------------------------------------------------------------------
-- job_type is the kind: events, participants, results (and roster).
-- payload->>'event' is the provider's own event id, '' for a partner-wide job.
ALTER TABLE sync_queue
    ADD COLUMN max_retries  SMALLINT NOT NULL DEFAULT 5 CHECK (max_retries >= 0),
    ADD COLUMN leased_until TIMESTAMPTZ,
    ADD COLUMN leased_by    TEXT,
    ADD COLUMN last_error   TEXT,
    ADD COLUMN updated_at   TIMESTAMPTZ NOT NULL DEFAULT now();
-- Older rows (demo-data's) may hold several queued jobs of one kind: only the
-- newest of each stays queued for the index below; the rest are marked done
-- with a note, never deleted.
WITH ranked AS (
    SELECT id, row_number() OVER (
        PARTITION BY timing_partner_id, provider_id, job_type, COALESCE(payload->>'event', '')
        ORDER BY scheduled_at DESC, id DESC) AS n
    FROM sync_queue WHERE status IN ('queued', 'running'))
UPDATE sync_queue AS q SET status = 'done', last_error = 'superseded by a newer job of the same kind'
FROM ranked WHERE ranked.id = q.id AND ranked.n > 1;
CREATE UNIQUE INDEX sync_queue_one_active_job ON sync_queue
    (timing_partner_id, provider_id, job_type, (COALESCE(payload->>'event', '')))
    WHERE status IN ('queued', 'running');

ALTER TABLE sync_history
    ADD COLUMN job_type      TEXT,
    ADD COLUMN provider_scope TEXT,
    ADD COLUMN sync_queue_id INTEGER;
COMMENT ON COLUMN sync_history.provider_scope IS
    'The provider''s own event id the run was for; NULL for a partner-wide run.';

-- 4. Cursors ------------------------------------------------------------------------
CREATE TABLE sync_cursors (
    timing_partner_id INTEGER NOT NULL REFERENCES timing_partners(id),
    provider_id       INTEGER NOT NULL REFERENCES providers(id),
    listing           TEXT NOT NULL,   -- 'runsignup participants', 'chronotrack results', …
    provider_scope    TEXT NOT NULL,   -- the provider's id the listing is for
    cursor            TEXT,
    full_listing_at   TIMESTAMPTZ,     -- last cursor-less listing (Race Roster removals)
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (timing_partner_id, provider_id, listing, provider_scope)
);

-- 5. Rate limits ----------------------------------------------------------------------
-- None of the three publishes a number for these APIs. RunSignUp throttles
-- with error 14; the defaults are conservative and an operator may raise them.
ALTER TABLE providers ADD COLUMN rate_limit_per_hour INTEGER NOT NULL DEFAULT 3600
    CHECK (rate_limit_per_hour > 0);

-- The three providers a sync can use, with their public base URLs, unless a provider
-- of that id, name or slug is already there (a database from the platform has them).
INSERT INTO providers (id, name, slug, api_base_url) VALUES
    (1, 'ChronoTrack', 'chronotrack', 'https://api.chronotrack.com/api'),
    (2, 'RunSignUp', 'runsignup', 'https://runsignup.com/Rest'),
    (3, 'Race Roster', 'raceroster', 'https://raceroster.com/api/v1')
ON CONFLICT DO NOTHING;
DO $$ BEGIN
    PERFORM setval(pg_get_serial_sequence('providers', 'id'),
                   (SELECT COALESCE(max(id), 0) + 1 FROM providers), false);
END $$;

-- Credentials: the JSON object of the provider's fields, encrypted by the
-- daemon's key (a systemd credential) before it reaches the database, so the
-- server never sees the key. The older pgp_sym columns stay as they were.
ALTER TABLE partner_provider_credentials ADD COLUMN fields_encrypted BYTEA;
COMMENT ON COLUMN partner_provider_credentials.fields_encrypted IS
    'Fernet token (cryptography) of the provider''s credential fields as JSON; key: sync-key.';

-- Row-level security, as on every partner-owned table (0002, 0006).
DO $$
DECLARE
    tbl TEXT;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['raceroster_registrations', 'sync_cursors'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format(
            'CREATE POLICY partner_isolation ON %I USING ('
            ' timing_partner_id = (SELECT p88_scope_partner())'
            ' OR (SELECT p88_scope_all()) = ''on'')', tbl);
    END LOOP;
END
$$;

-- 6. The daemon's group role ---------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p88_sync') THEN
        CREATE ROLE p88_sync NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO p88_sync;
GRANT SELECT ON timing_partners, providers TO p88_sync;
GRANT SELECT, UPDATE (fields_encrypted, updated_at), INSERT ON partner_provider_credentials
    TO p88_sync;
GRANT SELECT, INSERT, UPDATE, DELETE ON ct_events, ct_races, ct_participants, ct_results, events,
    runsignup_events, runsignup_races, runsignup_participants, raceroster_events,
    raceroster_registrations, sync_queue, sync_cursors
TO p88_sync;
GRANT SELECT, INSERT, UPDATE ON sync_history TO p88_sync;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO p88_sync;
