"""The race display and JSON timing APIs (Bottle + Jinja2 on gevent)."""
