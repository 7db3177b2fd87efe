"""Building the dashboard and keeping its committed build in step with its sources."""
