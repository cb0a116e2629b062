-- A session named on the command line by id or slug (roster import --session):
-- an active one first, then the newest that had the slug.
SELECT id
FROM timing_sessions
WHERE id::text = %(name)s OR slug = %(name)s
ORDER BY status = 'active' DESC, id DESC
LIMIT 1
