"""Background tasks of notifications and webhooks, each on its own queue (``scripts/worker``
runs a db_worker for them beside the books' one, so a slow receiver never delays a book)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="notifications")
def send_message(message_id: int) -> None:
    """Send one notification (e-mail or a group-chat robot); retried with backoff."""
    from notifications.services.messages import deliver_message  # noqa: PLC0415

    deliver_message(message_id)


@task(queue_name="webhooks")
def deliver_webhook(delivery_id: int) -> None:
    """POST one signed webhook delivery; retried with backoff, in order per position."""
    from notifications.services.webhooks import deliver  # noqa: PLC0415

    deliver(delivery_id)


@task(queue_name="notifications")
def dispatch_messages(message_ids: list[int]) -> None:
    """Queue one ``send_message`` per message: what one step wrote, queued in one row."""
    for message_id in message_ids:
        send_message.enqueue(message_id)


@task(queue_name="webhooks")
def dispatch_deliveries(delivery_ids: list[int]) -> None:
    """Queue one ``deliver_webhook`` per delivery: what one step wrote, queued in one row."""
    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id)
