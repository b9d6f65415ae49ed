"""``motcua report``: figures per officer, service and hour from ticketd's database (read-only).

``data`` reads the SQLite file, ``figures`` computes (definitions in its docstring), ``html``
and ``svg`` draw the supervisor's page, ``csv_out`` writes the province's files, and
``satisfaction`` publishes this month's satisfaction per counter for the hall display.
"""
