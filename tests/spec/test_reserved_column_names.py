"""Feature store column names a cloud refuses are spec errors naming the field: SageMaker Feature Store's
reserved names on AWS, the column the GCP feature view generates; names reserved on one cloud are fine
on another."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.spec import SpecError, load_spec_file
from tests.support.plans import platform_document, write_spec


def _spec_file(tmp_path: Path, cloud: str, entity: str = "account_id", event_time: str = "event_ts", **features) -> Path:
    raw = platform_document(f"{cloud}-dev")
    raw["feature_store"]["feature_groups"] = [
        {
            "name": "transactions",
            "entity": entity,
            "event_time": event_time,
            "use_case": raw["use_cases"][0]["name"],
            "features": {"amount": "float", **features},
        }
    ]
    return write_spec(tmp_path, raw, cloud)


@pytest.mark.parametrize("name", ["is_deleted", "write_time", "api_invocation_time"])
def test_sagemaker_reserved_feature_names_are_refused_on_aws(tmp_path, name):
    with pytest.raises(SpecError) as error:
        load_spec_file(_spec_file(tmp_path, "aws", **{name: "int"}), "aws")
    (line,) = error.value.lines
    assert f"feature_store.feature_groups.0.features.{name}: aws cannot use the column name" in line
    assert "SageMaker Feature Store reserves it" in line


def test_a_reserved_entity_name_is_refused_on_aws(tmp_path):
    with pytest.raises(SpecError) as error:
        load_spec_file(_spec_file(tmp_path, "aws", entity="write_time"), "aws")
    assert "feature_store.feature_groups.0.entity: aws cannot use the column name 'write_time'" in error.value.lines[0]


@pytest.mark.parametrize("where", ["feature", "entity"])
def test_feature_timestamp_collides_with_the_generated_view_column_on_gcp(tmp_path, where):
    path = _spec_file(tmp_path, "gcp", **({"feature_timestamp": "int"} if where == "feature" else {"entity": "feature_timestamp"}))
    with pytest.raises(SpecError) as error:
        load_spec_file(path, "gcp")
    field = "features.feature_timestamp" if where == "feature" else "entity"
    assert f"feature_store.feature_groups.0.{field}: gcp cannot use the column name 'feature_timestamp'" in error.value.lines[0]
    assert "generates this column from event_time" in error.value.lines[0]


def test_names_reserved_elsewhere_are_fine_where_they_are_not(tmp_path):
    # feature_timestamp as the event time is renamed by the view itself; SageMaker's names mean nothing on GCP.
    load_spec_file(_spec_file(tmp_path, "gcp", event_time="feature_timestamp", write_time="timestamp"), "gcp")
    load_spec_file(_spec_file(tmp_path, "aws", feature_timestamp="int"), "aws")
