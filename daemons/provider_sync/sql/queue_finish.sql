-- done, failed for good, or queued again for a retry at %(retry_at)s.
UPDATE sync_queue
SET status = %(status)s, last_error = %(error)s, leased_until = NULL, leased_by = NULL,
    scheduled_at = COALESCE(%(retry_at)s, scheduled_at), updated_at = now(),
    attempts = CASE WHEN %(refund)s THEN greatest(attempts - 1, 0) ELSE attempts END
WHERE id = %(id)s AND leased_by = %(me)s
