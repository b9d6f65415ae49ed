"""The officer's counter console (PySide6) and the serial counter keypad driver.

``model`` holds everything the console shows and decides without Qt, ``commands`` sends counter
commands with retries under one request id, ``window`` is the Qt view, ``keypad`` drives serial
keypads (line protocol in ``keypad_protocol``).
"""
