# Dashboards read the plan; they keep no data of their own.
