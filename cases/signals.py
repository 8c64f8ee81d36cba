"""What the cases app tells the apps above it, which it never imports (DESIGN.md §2)."""

from django.dispatch import Signal

# Sent by workflow._record_event for every new CaseEvent, inside the transaction that wrote it, with
# `event` (its `case` loaded). A receiver that writes rows (the notifications outbox) commits or rolls
# back with the event; anything that must wait for the commit uses transaction.on_commit.
event_recorded = Signal()
