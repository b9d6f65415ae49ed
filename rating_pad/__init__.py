"""The citizen's rating tablet of one counter (PySide6) with a local SQLite outbox.

``model`` decides the screens without Qt, ``outbox`` keeps every rating before it is sent,
``sender`` forwards the outbox with the same request id until ticketd replies, ``window`` is the
Qt view and ``app`` wires them together.
"""
