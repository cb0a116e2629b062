"""The archiver: 30-day retention of raw reads, backups, idle sessions (APScheduler)."""
