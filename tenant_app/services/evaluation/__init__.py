"""The evaluation cycle: periods, work, assessments, scores, discipline, the year, income."""
