"""Reusable constructs of the LED landing zone: each one makes one thing VTC-compliant."""
