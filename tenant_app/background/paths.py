"""Every job's dotted path, in one place: what services enqueue and the scheduler runs.

A path names a function in ``tenant_app.jobs``; ``tests/jobs/test_paths.py`` resolves each one,
so a renamed job fails the suite rather than a queue at night.
"""

# Scoring (queue ``scoring``)
RESCORE_PERSON = "tenant_app.jobs.scoring.rescore_person"
RESCORE_PERIOD = "tenant_app.jobs.scoring.rescore_period"

# The comparison's precomputed figures (queue ``scoring``)
COMPARISON_REFRESH_PERIOD = "tenant_app.jobs.comparison.refresh_period"
COMPARISON_REFRESH_TENANT = "tenant_app.jobs.comparison.refresh_tenant"
COMPARISON_REFRESH_ALL = "tenant_app.jobs.comparison.refresh_all"

# Data feeds (queue ``feeds``)
FEED_PROCESS_BATCH = "tenant_app.jobs.feeds.process_batch"
FEED_REPLAY = "tenant_app.jobs.feeds.replay"
FEED_REPLAY_HELD = "tenant_app.jobs.feeds.replay_held"

# Spreadsheet imports (queue ``io``)
IMPORT_VALIDATE = "tenant_app.jobs.imports.validate_import"
IMPORT_COMMIT = "tenant_app.jobs.imports.commit_import"

# Province exports (queue ``io``)
EXPORT_BUILD = "tenant_app.jobs.exports.build_export"
EXPORT_PURGE = "tenant_app.jobs.exports.purge"

# Rollouts (queue ``rollout``)
ROLLOUT_DRY_RUN = "tenant_app.jobs.rollout.dry_run_tenant"
ROLLOUT_APPLY = "tenant_app.jobs.rollout.apply_tenant"
ROLLOUT_ROLLBACK = "tenant_app.jobs.rollout.rollback_tenant"

# The evaluation calendar, break-glass expiry, the audit chains (queue ``default``)
EVALUATION_DAILY_ALL = "tenant_app.jobs.evaluation.daily_all"
EVALUATION_DAILY = "tenant_app.jobs.evaluation.daily"
BREAK_GLASS_EXPIRE_ALL = "tenant_app.jobs.break_glass.expire_all"
BREAK_GLASS_EXPIRE = "tenant_app.jobs.break_glass.expire"
AUDIT_VERIFY_CHAINS = "tenant_app.jobs.audit.verify_chains"

# Retention of stored files (queue ``default``)
RETENTION_DAILY_ALL = "tenant_app.jobs.retention.daily_all"
RETENTION_PURGE = "tenant_app.jobs.retention.purge"
