-- depends: 0009_location_streams
-- Where the race-day roster comes from (issue 14). `project88 roster sync --event`
-- fills race_roster from a provider's participants and records the source here;
-- the provider_sync daemon then keeps every followed source fresh on the race-day
-- cadence (hourly; every 5 minutes within 24 h of the start; every minute within
-- 4 h; stopping 1 h after it). The display's /status shows these rows.
CREATE TABLE roster_sources (
    provider          TEXT NOT NULL CHECK (provider IN ('chronotrack', 'runsignup', 'raceroster')),
    provider_event    TEXT NOT NULL,   -- the provider's own event (RunSignUp: race) id
    timing_partner_id INTEGER NOT NULL,
    label             TEXT NOT NULL,   -- the event's name and date, as the provider has them
    starts_at         TIMESTAMPTZ,     -- the earliest start: drives the cadence
    follow            BOOLEAN NOT NULL DEFAULT true,
    runners           INTEGER NOT NULL DEFAULT 0,
    synced_at         TIMESTAMPTZ,     -- last successful sync
    attempted_at      TIMESTAMPTZ,     -- last attempt, successful or not
    error             TEXT,            -- the last attempt's error, NULL when it succeeded
    PRIMARY KEY (provider, provider_event)
);

-- Which source a roster row came from: NULL for a CSV (project88 roster import).
-- A sync replaces only its own source's rows.
ALTER TABLE race_roster ADD COLUMN source TEXT;
CREATE INDEX race_roster_source ON race_roster (source) WHERE source IS NOT NULL;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p88_roster') THEN
        CREATE ROLE p88_roster NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO p88_roster;
GRANT SELECT, INSERT, UPDATE, DELETE ON race_roster, roster_sources TO p88_roster;
GRANT SELECT ON timing_sessions TO p88_roster;
GRANT SELECT ON roster_sources TO p88_display;
