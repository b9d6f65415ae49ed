"""Displays: hall and counter screens, the voice announcer and serial LED number boards."""
