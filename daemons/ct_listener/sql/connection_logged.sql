-- A whole connection recorded at once (it opened while the database was away).
INSERT INTO connection_log (client_ip, connected_at, disconnected_at, session_info, message_count)
VALUES (%(ip)s, %(connected_at)s, %(disconnected_at)s, %(info)s, %(messages)s)
