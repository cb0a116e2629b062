"""The synthetic production dataset (``project88 demo-data``).

``reference`` holds the built-in names, places, partners and featured content;
``plan`` fixes every count, id range and race size (pure, cheap, exact at scale
1); ``times`` draws finish and split times; ``generate`` turns a plan into rows,
a module per kind of table (pure, deterministic per seed); ``load`` is the thin
shell that COPYs them into ``P88_PROD_DSN`` (``copy_format`` writes COPY text,
``api_keys`` draws the users' keys) and ``command`` is ``project88 demo-data``.
"""
