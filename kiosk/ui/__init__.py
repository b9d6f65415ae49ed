"""The kiosk's Qt view: screens rendering the plain-Python model of ``kiosk``."""
