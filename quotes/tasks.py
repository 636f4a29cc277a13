"""Background work: the quote e-mail with its PDF and acceptance link (a worker in production,
see operations.md)."""

from django_tasks import task

from quotes.documents import quote_email


@task()
def send_quote_email(quote_id: int) -> None:
    quote_email(quote_id).send()
