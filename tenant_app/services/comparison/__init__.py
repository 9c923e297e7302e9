"""The province comparison: precomputed unit figures, side by side, drill-down, flags, exports."""
