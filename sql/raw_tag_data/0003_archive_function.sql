-- depends: 0002_listener_additions
-- The documented archive_old_timing_data(), kept callable as documented
-- (`SELECT archive_old_timing_data();`). Column lists are explicit so that a
-- later column added to both tables cannot silently shift values.

CREATE OR REPLACE FUNCTION archive_old_timing_data()
RETURNS INTEGER AS $$
DECLARE
    archived_count INTEGER;
BEGIN
    WITH archived AS (
        DELETE FROM timing_reads
        WHERE read_timestamp < CURRENT_TIMESTAMP - INTERVAL '30 days'
        RETURNING id, session_id, location_id, sequence_number, location_name, tag_code,
                  read_time, read_date, read_timestamp, lap_count, reader_id,
                  gator_number, raw_data, processed_at
    )
    INSERT INTO timing_reads_archive
        (id, session_id, location_id, sequence_number, location_name, tag_code,
         read_time, read_date, read_timestamp, lap_count, reader_id,
         gator_number, raw_data, processed_at, archived_at)
    SELECT id, session_id, location_id, sequence_number, location_name, tag_code,
           read_time, read_date, read_timestamp, lap_count, reader_id,
           gator_number, raw_data, processed_at, CURRENT_TIMESTAMP
    FROM archived;

    GET DIAGNOSTICS archived_count = ROW_COUNT;

    INSERT INTO connection_log (client_ip, session_info, message_count)
    VALUES ('127.0.0.1'::INET,
            jsonb_build_object('action', 'archive', 'archived_count', archived_count),
            archived_count);

    RETURN archived_count;
END;
$$ LANGUAGE plpgsql;
