"""ticketd: the ticket daemon, single writer of the office's queue state."""
