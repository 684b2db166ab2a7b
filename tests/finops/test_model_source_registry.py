"""`models refresh` reads each cloud's model listing through one registration per cloud."""

from mlplat.finops import models_refresh as m


def test_a_registered_source_answers_for_its_cloud(monkeypatch):
    monkeypatch.setitem(m._SOURCES, "fake", lambda region, subscription: ({f"model-{region}"}, None))
    assert m.offered("fake", "r1") == ({"model-r1"}, None)


def test_a_source_that_raises_skips_the_cloud_with_the_reason(monkeypatch):
    def refuses(region, subscription):
        raise PermissionError("403 Forbidden")

    monkeypatch.setitem(m._SOURCES, "fake", refuses)
    assert m.offered("fake", "r1") == (None, "PermissionError: 403 Forbidden")


def test_an_unregistered_cloud_is_skipped_not_raised():
    assert m.offered("nowhere", "r1") == (None, "no model listing is registered for nowhere")


def test_every_registry_cloud_has_a_model_source():
    from components.registry import cloud_names

    assert set(cloud_names()) <= set(m._SOURCES)
