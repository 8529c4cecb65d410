"""Command-line tools of the LED landing zone that run next to synthesis (report, bench)."""
