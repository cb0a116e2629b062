"""An independent question set and evaluation harness for ``daemons/nlq_http``.

The questions (``working/*.yaml`` and ``frozen.yaml``) carry reference SQL
written from the schema alone, never from the service's parser or compiler, so
that a score says how often the service gives the answer a person would have
given. See README.md in this folder for the format and the rules.
"""
