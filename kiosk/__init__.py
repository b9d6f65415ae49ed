"""The touchscreen kiosk: take a number, look up procedures, look up a dossier.

The model (flows, catalogue search, dossier lookup) is plain Python in this package; ``kiosk.ui``
renders it with Qt. ``motcua kiosk`` runs it; ``motcua stats`` publishes dossier statistics.
"""
