"""Versioned rule sets; each module implements one legal basis for period scoring."""
