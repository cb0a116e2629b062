COPY incoming_reads (id, session_id, location_id, stream_number, sequence_number, location_name, tag_code,
                     read_time, read_date, read_timestamp, lap_count, reader_id,
                     gator_number, raw_data)
FROM STDIN
