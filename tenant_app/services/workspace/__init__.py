"""A unit's own set-up: org chart, posts, staff, KPI catalogue, accounts, sign-in, notifications."""
