-- The documented record of an archive run, as archive_old_timing_data() writes it.
INSERT INTO connection_log (client_ip, session_info, message_count)
VALUES ('127.0.0.1'::INET,
        jsonb_build_object('action', 'archive', 'archived_count', %(count)s::integer),
        %(count)s);
