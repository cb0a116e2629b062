SELECT archive_timing_batch(%(cutoff)s, %(batch_size)s);
