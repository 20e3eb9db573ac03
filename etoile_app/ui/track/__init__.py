"""The track record: scores, calibration, bold calls, best and worst."""
