-- depends: 0006_nlq_reader
-- What each daemon may do in raw_tag_data, as NOLOGIN group roles. The
-- deployment (ansible/roles/project88) makes each daemon's login role a member
-- of its group: ct_listener -> p88_ingest, display_http -> p88_display,
-- archiver -> p88_archive. Migrations themselves run as the database owner.
-- A later migration that adds a table grants on it here-style, explicitly.
DO $$
DECLARE
    name TEXT;
BEGIN
    FOREACH name IN ARRAY ARRAY['p88_ingest', 'p88_display', 'p88_archive'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
END
$$;
GRANT USAGE ON SCHEMA public TO p88_ingest, p88_display, p88_archive;

-- The listener: sessions, locations, reads (and their conflicts, rejects and
-- gun times), its connection log; it reads the archive to recognise a
-- resent read that was already archived, and the roster for tag codes.
GRANT SELECT, INSERT, UPDATE ON timing_sessions, timing_locations, timing_reads,
    timing_gun_times, timing_rejected_reads, timing_read_conflicts, connection_log
TO p88_ingest;
GRANT SELECT ON timing_reads_archive, race_roster TO p88_ingest;

-- The display: read-only.
GRANT SELECT ON timing_sessions, timing_locations, timing_reads, timing_gun_times,
    connection_log, race_roster
TO p88_display;

-- The archiver: moves old reads, closes idle sessions, records its runs.
GRANT SELECT, INSERT, DELETE ON timing_reads, timing_reads_archive TO p88_archive;
GRANT SELECT, UPDATE ON timing_sessions TO p88_archive;
GRANT SELECT, INSERT, UPDATE ON archiver_runs, connection_log TO p88_archive;
GRANT EXECUTE ON FUNCTION archive_timing_batch(TIMESTAMPTZ, INTEGER), archive_old_timing_data()
TO p88_archive;

GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO p88_ingest, p88_archive;

-- Nightly backups (pg_dump of both databases) read everything; the archiver's
-- login role also needs BYPASSRLS for project88_myappdb's partner tables, an
-- attribute of the login role itself that the deployment sets.
GRANT pg_read_all_data TO p88_archive;
