-- Lines received so far on connections still open (every status interval), so /status
-- shows a live count instead of 0 until the controller disconnects.
UPDATE connection_log AS c SET message_count = v.lines
FROM unnest(%(ids)s::integer[], %(lines)s::integer[]) AS v (id, lines)
WHERE c.id = v.id AND c.disconnected_at IS NULL
  AND c.message_count IS DISTINCT FROM v.lines
