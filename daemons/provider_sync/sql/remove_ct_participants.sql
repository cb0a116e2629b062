-- Withdrawn or deleted ChronoTrack entries: their results first (they reference them).
WITH gone AS (
    SELECT id FROM ct_participants
    WHERE timing_partner_id = %(partner)s AND entry_id = ANY(%(ids)s::bigint[])
), results AS (
    DELETE FROM ct_results WHERE participant_id IN (SELECT id FROM gone)
)
DELETE FROM ct_participants WHERE id IN (SELECT id FROM gone)
RETURNING id
