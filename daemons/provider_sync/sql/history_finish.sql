UPDATE sync_history
SET finished_at = clock_timestamp(), status = %(status)s, records_synced = %(records)s,
    error = %(error)s
WHERE id = %(id)s
