# Nothing to administer: dashboards are read-only views over inspections, findings and actions.
