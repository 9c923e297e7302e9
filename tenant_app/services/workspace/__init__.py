"""A unit's own set-up: org chart, posts, staff, KPI catalogue, accounts, notifications."""
