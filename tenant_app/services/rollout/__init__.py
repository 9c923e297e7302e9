"""Province configuration templates rolled out to units: payload, workbook, merge, apply."""
