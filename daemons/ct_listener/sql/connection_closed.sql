UPDATE connection_log
SET disconnected_at = %(disconnected_at)s, session_info = %(info)s, message_count = %(messages)s
WHERE id = %(id)s
