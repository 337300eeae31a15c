"""Operating Livecue like the services beside it: Prometheus metrics (/metrics) and request ids for JSON logs."""
