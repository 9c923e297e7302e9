"""Data feeds (aggregate: a unit's data sources): sources, their mappings and tokens
(``sources``), receiving batches (``intake``), deciding and projecting records onto work and
indicators (``processing``), and what the pages read (``reading``)."""
