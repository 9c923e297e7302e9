"""Queue names: one per kind of work, so a slow import never delays scoring."""

SCORING = "scoring"
ROLLOUT = "rollout"
IO = "io"  # spreadsheet imports and exports
DEFAULT = "default"
FEEDS = "feeds"  # records from external systems (one-stop, documents, disbursement)

ALL_QUEUES = (SCORING, FEEDS, ROLLOUT, IO, DEFAULT)

# Seconds a job may run before rq stops it (then retried like any failure).
JOB_TIMEOUT = {SCORING: 1800, FEEDS: 600, ROLLOUT: 3600, IO: 3600, DEFAULT: 900}
# Attempts after the first: a failure or a worker killed mid-job is retried this many times.
MAX_RETRIES = 3
