-- Only the minimum lap time of an existing course (session course --min-lap S).
UPDATE timing_courses SET min_lap = %(min_lap)s, updated_at = CURRENT_TIMESTAMP
WHERE session_id = %(session)s
RETURNING session_id
