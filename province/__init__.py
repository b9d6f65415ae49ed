"""The provincial centre: every office's queues, ratings, devices and cameras in one live view.

``motcua province`` runs the aggregator (bridged MQTT topics → PostgreSQL) and the supervisors'
dashboard; its other subcommands manage accounts and print monthly reports.
"""
