import journeys.admin_journeys  # noqa: F401  (journeys, versions, enrollments, traces)
