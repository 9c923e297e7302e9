"""The province's own use cases: unit lifecycle, onboarding, break-glass access."""
