"""Background work: the offer e-mail with its PDF, and the office's notice of the customer's
answer (a worker in production, see operations.md)."""

from django_tasks import task

from orders.documents import decision_emails, offer_email


@task()
def send_offer_email(offer_id: int) -> None:
    offer_email(offer_id).send()


@task()
def send_offer_decision_email(offer_id: int) -> int:
    """Tell the offer's author and the operators that the customer accepted (with the order)
    or declined (with the reason): one message each, in each reader's language."""
    return sum(message.send() for message in decision_emails(offer_id))


@task()
def send_order_confirmation(order_id: int) -> int:
    """The order confirmation (PDF) to the customer's contact, in the order's language."""
    from orders.documents import order_confirmation_email

    message = order_confirmation_email(order_id)
    return message.send() if message.to and message.to[0] else 0
