INSERT INTO connection_log (client_ip, connected_at, session_info, message_count)
VALUES (%(ip)s, %(connected_at)s, %(info)s, 0)
RETURNING id
