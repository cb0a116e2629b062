-- depends: 0010_roster_sources
-- Several races timed at once (issue 15 §1). A timing session belongs to an event
-- (and a partner), has its own time zone, and is found by the CTP01 login of the
-- controllers that time it; the display serves each at /e/<slug>/.
--
-- What a database migrated from 0010 keeps meaning:
-- * its sessions have no login: they are "automatic" sessions, the ones a
--   controller without a routed login lands in, exactly as before; at most one
--   of them is active, as timing_sessions_one_active guaranteed;
-- * a NULL time_zone still means the listener's configured zone (P88_TIMEZONE);
-- * its roster rows have no session: the shared roster, which every session
--   reads, as before.

ALTER TABLE timing_sessions
    ADD COLUMN timing_partner_id INTEGER,
    -- the CTP01 user name (authorize~<user>~…) whose connections time this session
    ADD COLUMN login TEXT CHECK (login <> ''),
    -- the readable URL of its display: /e/<slug>/
    ADD COLUMN slug TEXT CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$');

-- One automatic session at a time, as before; any number of routed ones, but one
-- login or one slug names one active session, so a read or a URL has one meaning.
DROP INDEX timing_sessions_one_active;
CREATE UNIQUE INDEX timing_sessions_one_automatic
    ON timing_sessions ((status)) WHERE status = 'active' AND login IS NULL;
CREATE UNIQUE INDEX timing_sessions_active_login
    ON timing_sessions (login) WHERE status = 'active' AND login IS NOT NULL;
CREATE UNIQUE INDEX timing_sessions_active_slug
    ON timing_sessions (slug) WHERE status = 'active' AND slug IS NOT NULL;
CREATE INDEX timing_sessions_slug ON timing_sessions (slug, id) WHERE slug IS NOT NULL;

-- The roster is keyed by session and bib: two races' bib 101 are two runners.
-- session_id NULL is the shared roster. roster_key folds NULL to 0 so that the
-- shared roster's bibs stay unique too (a plain UNIQUE treats NULLs as distinct)
-- and so that ON CONFLICT and the deferred tag-code check can name it.
ALTER TABLE race_roster
    ADD COLUMN session_id INTEGER REFERENCES timing_sessions(id),
    ADD COLUMN roster_key INTEGER GENERATED ALWAYS AS (COALESCE(session_id, 0)) STORED;
ALTER TABLE race_roster DROP CONSTRAINT race_roster_pkey;
ALTER TABLE race_roster ADD CONSTRAINT race_roster_pkey PRIMARY KEY (roster_key, bib);
ALTER TABLE race_roster DROP CONSTRAINT race_roster_tag_code_key;
ALTER TABLE race_roster ADD CONSTRAINT race_roster_tag_code_key
    UNIQUE (roster_key, tag_code) DEFERRABLE INITIALLY DEFERRED;

COMMENT ON COLUMN race_roster.session_id IS
    'The session whose roster this runner is in; NULL: the shared roster every session reads.';
COMMENT ON COLUMN timing_sessions.login IS
    'CTP01 user routed to this session; NULL: the automatic session (one active at most).';
