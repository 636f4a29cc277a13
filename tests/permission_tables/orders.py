import uuid

from orders import services
from orders.links import make_token
from orders.models import OfferLine
from tests.factories import make_user
from tests.orders.factories import make_draft, make_part, make_setting
from tests.permission_tables import ADMIN, ANON, LOGIN, OPER, PUBLIC, STAFF, TECH, Row


def build(world):
    clerk = make_user("perm-orders-clerk", "operator")
    world.part = make_part()
    setting = {
        "customer": world.customer,
        "site": world.site,
        "contact": world.contact,
        "unit": world.unit,
    }
    world.draft = make_draft(clerk, parts=[world.part], **setting)
    world.line = world.draft.lines.get()
    world.sent = services.send_offer(
        offer=make_draft(clerk, parts=[world.part], **make_setting()), acting_user=clerk
    )
    accepted = services.send_offer(
        offer=make_draft(clerk, parts=[world.part], **make_setting()), acting_user=clerk
    )
    services.record_decision(
        offer=accepted, accept=True, name="G", channel="paper", acting_user=clerk
    )
    world.accepted = accepted
    ordered = services.send_offer(
        offer=make_draft(clerk, parts=[world.part], **make_setting()), acting_user=clerk
    )
    services.record_decision(
        offer=ordered, accept=True, name="G", channel="paper", acting_user=clerk
    )
    world.order = services.convert_to_order(offer=ordered, acting_user=clerk)
    from django.utils import timezone

    from orders import shipping

    world.shipment = shipping.create_shipment(
        order=world.order,
        quantities={line.pk: line.quantity for line in world.order.lines.all()},
        date=timezone.localdate(),
        carrier="BRT",
        packages=1,
        acting_user=clerk,
    )


def _pk(attr):
    return lambda world: [getattr(world, attr).pk]


# A POST that succeeds redirects (302); technicians get 403, anonymous users the login page.
STAFF_POST = {ANON: LOGIN, TECH: 403, OPER: 302, ADMIN: 302}
# The customer's page works for anyone holding the link, logged in or not.
LINK_POST = {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302}

ROWS = [
    Row("orders:order_list", STAFF),
    Row("orders:order_export", STAFF),
    Row("orders:order_detail", STAFF, _pk("order")),
    Row(
        "orders:order_state",
        STAFF_POST,
        _pk("order"),
        method="post",
        data=lambda world: {"state": "shipped"},
    ),
    Row("orders:order_shipments", STAFF, _pk("order")),
    Row(
        "orders:order_shipments",
        {ANON: LOGIN, TECH: 403, OPER: 400, ADMIN: 400},
        _pk("order"),
        method="post",
        data=lambda world: {"carrier": ""},
    ),
    Row("orders:order_confirmation", STAFF, _pk("order")),
    Row("orders:delivery_note", STAFF, lambda world: [world.order.pk, world.shipment.pk]),
    Row("orders:sparepart_list", STAFF),
    Row("orders:offer_list", STAFF),
    Row("orders:offer_export", STAFF),
    Row("orders:offer_create", STAFF),
    Row("orders:offer_detail", STAFF, _pk("draft")),
    Row("orders:offer_parties", STAFF, _pk("draft")),
    Row("orders:offer_cart", STAFF, _pk("draft")),
    Row("orders:cart_search", STAFF, _pk("draft"), query="q=SP"),
    Row(
        "orders:cart_add",
        STAFF_POST,
        _pk("draft"),
        method="post",
        data=lambda world: {"part": world.part.pk, "submission_token": str(uuid.uuid4())},
    ),
    Row(
        "orders:cart_line",
        STAFF_POST,
        lambda world: [world.draft.pk, world.line.pk],
        method="post",
        data=lambda world: {
            f"l{world.line.pk}-quantity": "2",
            f"l{world.line.pk}-unit_price": "5",
            f"l{world.line.pk}-discount_percent": "0",
            # the version the cart shows now (each staff role's save counts one change)
            f"l{world.line.pk}-version": OfferLine.objects.get(pk=world.line.pk).version,
        },
    ),
    Row("orders:offer_terms", STAFF, _pk("draft")),
    Row("orders:offer_pdf", STAFF, _pk("draft")),
    Row("orders:offer_send", STAFF_POST, _pk("draft"), method="post"),
    Row("orders:offer_resend", STAFF_POST, _pk("sent"), method="post"),
    Row("orders:offer_revise", STAFF_POST, _pk("sent"), method="post"),
    Row("orders:offer_cancel", STAFF_POST, _pk("sent"), method="post"),
    Row(
        "orders:offer_decide",
        STAFF_POST,
        _pk("sent"),
        method="post",
        data=lambda world: {"decision": "accept", "channel": "phone", "name": "G"},
    ),
    Row("orders:offer_convert", STAFF_POST, _pk("accepted"), method="post"),
    Row("orders:public_offer", PUBLIC, lambda world: [make_token(world.sent.pk)]),
    Row(
        "orders:public_offer",
        LINK_POST,
        lambda world: [make_token(world.sent.pk)],
        method="post",
        data=lambda world: {"name": "Giulia", "decision": "accept"},
    ),
    Row(
        "orders:public_offer",
        {ANON: 404, TECH: 404, OPER: 404, ADMIN: 404},
        lambda world: ["1:forged"],
    ),
]
