"""Ticket printing: render tickets as images, encode ESC/POS jobs, send them per printer."""

from ticketd.printing.capture import set_capture_state
from ticketd.printing.connections import register_backend
from ticketd.printing.escpos_job import paper_width_dots, ticket_job_bytes
from ticketd.printing.fonts import FontNotFoundError
from ticketd.printing.render import TicketPrint, render_test_page, render_ticket
from ticketd.printing.status import PrinterStatus
from ticketd.printing.worker import PrinterPool, PrinterWorker, PrintOutcome

__all__ = [
    "FontNotFoundError",
    "PrintOutcome",
    "PrinterPool",
    "PrinterStatus",
    "PrinterWorker",
    "TicketPrint",
    "paper_width_dots",
    "register_backend",
    "render_test_page",
    "render_ticket",
    "set_capture_state",
    "ticket_job_bytes",
]
