import time
import pytest
from calls.documents import report_pdf
from calls.services import media
from tests.calls.test_actuals_completion import _ready
from tests.calls.test_photos import picture, upload

pytestmark = pytest.mark.django_db


def test_timing(technician, operator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    intervention = _ready(technician, operator)
    report_pdf(intervention)
    t = []
    for _ in range(5):
        s = time.perf_counter(); report_pdf(intervention); t.append(time.perf_counter() - s)
    for tag, colour in (("before", "red"), ("after", "green")):
        s = time.perf_counter()
        photo = media.add_photo(intervention=intervention, acting_user=technician, upload=upload(picture((4032, 3024), colour=colour)))
        print("upload 12 MP", time.perf_counter() - s)
        media.tag_photo(attachment=photo, acting_user=technician, tag=tag)
    u = []
    for _ in range(5):
        s = time.perf_counter(); pdf = report_pdf(intervention); u.append(time.perf_counter() - s)
    print("no photos", sorted(t)[2], "two photos", sorted(u)[2], "bytes", len(pdf))
