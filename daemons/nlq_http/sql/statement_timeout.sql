SET LOCAL statement_timeout = %(milliseconds)s;
