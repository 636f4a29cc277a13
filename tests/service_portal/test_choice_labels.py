"""Choice labels are translated once per language, and read the same as Django's."""

from django.db.models import Model
from django.utils import translation

from calls.models import Call, Intervention, State
from customers.models import Customer, Site


def test_labels_follow_the_active_language():
    customer = Customer(country="DE", language="fr")
    intervention = Intervention(state=State.PLANNED)
    with translation.override("it"):
        assert customer.get_country_display() == "Germania"
        assert intervention.get_state_display() == "Pianificato"
    with translation.override("de"):
        assert customer.get_country_display() == "Deutschland"
        assert customer.get_language_display() == "Französisch"
    with translation.override("en"):
        assert customer.get_country_display() == "Germany"
        assert intervention.get_state_display() == "Planned"


def test_the_same_labels_as_django_for_every_value_and_an_unknown_one():
    site = Site(country="IT")
    call = Call(status="no-such-status")
    with translation.override("fr"):
        for obj, field in ((site, "country"), (call, "status"), (call, "priority")):
            django_label = Model._get_FIELD_display(obj, obj._meta.get_field(field))
            assert getattr(obj, f"get_{field}_display")() == django_label
        assert call.get_status_display() == "no-such-status"  # not a choice: the value itself
