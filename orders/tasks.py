"""Background work: the offer e-mail with its PDF (a worker in production, see operations.md)."""

from django_tasks import task

from orders.documents import offer_email


@task()
def send_offer_email(offer_id: int) -> None:
    offer_email(offer_id).send()
