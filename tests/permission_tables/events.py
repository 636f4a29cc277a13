from events.models import Delivery, Event, WebhookEndpoint
from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, TECH, Row


def build(world):
    world.endpoint = WebhookEndpoint.objects.create(name="ERP", url="http://127.0.0.1:9/hook")
    event = Event.objects.create(event_type="order.changed", record_type="order", record_id="1")
    world.delivery = Delivery.objects.create(
        event=event, endpoint=world.endpoint, record_key="order:1"
    )


def _endpoint(world):
    return [world.endpoint.pk]


ADMIN_POST = {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 302}

ROWS = [
    Row("events:endpoint_list", ADMIN_ONLY),
    Row("events:endpoint_create", ADMIN_ONLY),
    Row("events:endpoint_detail", ADMIN_ONLY, _endpoint),
    Row("events:endpoint_edit", ADMIN_ONLY, _endpoint),
    Row("events:endpoint_enable", ADMIN_POST, _endpoint, method="post"),
    Row("events:endpoint_rotate", ADMIN_POST, _endpoint, method="post"),
    Row(
        "events:delivery_replay",
        ADMIN_POST,
        lambda world: [world.endpoint.pk, world.delivery.pk],
        method="post",
    ),
]
