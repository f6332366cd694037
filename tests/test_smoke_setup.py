from maps.models import Stage


def test_telehealth_template_builds_six_stages(journey):
    assert list(Stage.objects.filter(journey=journey).values_list("name", flat=True)) == [
        "Acquisition", "Onboarding & intake", "Consultation", "Fulfilment", "Retention", "Re-engagement",
    ]
