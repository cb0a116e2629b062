-- Still working on it: keep the lease (false when another daemon took the job over).
UPDATE sync_queue SET leased_until = now() + make_interval(secs => %(lease)s), updated_at = now()
WHERE id = %(id)s AND status = 'running' AND leased_by = %(me)s
RETURNING id
