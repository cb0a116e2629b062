-- Controller connections still open, and the most recent closed ones.
SELECT id, client_ip, connected_at, disconnected_at, session_info, message_count
FROM connection_log
WHERE session_info->>'action' IS NULL
  AND connected_at > now() - interval '2 days'
ORDER BY (disconnected_at IS NULL) DESC, connected_at DESC
LIMIT %(limit)s;
