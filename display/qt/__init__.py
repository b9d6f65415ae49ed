"""The Qt side of the displays (PySide6): widgets, the hall and counter windows, the bus bridge,
headless screenshots. The models they render live in ``display.hall_model`` and
``display.counter_screen_model`` and know nothing of Qt."""
