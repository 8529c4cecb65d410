"""Developer tools of the LED landing zone (benchmarks)."""
