"""Bad input gets one clear error naming the file, the line or the field path: encodings, nesting,
duplicate keys, non-finite numbers, odd keys, huge values and counts the clouds refuse."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from components.spec import SpecError, load_spec_file, parse_spec
from components.spec.loading import MAX_LINE
from tests.support.plans import ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
EXAMPLE = yaml.safe_load((ROOT / "examples" / "fraud-ml.yaml").read_text())
PREFIX = "mlplat:platform"


def _error(raw, source="spec.yaml", prefix=PREFIX) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, source, prefix)
    return caught.value.lines


def _file_error(name: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec_file(FIXTURES / name)
    return caught.value.lines


def test_non_utf8_bytes_name_the_file_and_line():
    [line] = _file_error("non_utf8.yaml")
    assert line.startswith(f"{FIXTURES / 'non_utf8.yaml'}: line 8: not UTF-8")


def test_deep_nesting_is_an_error_not_a_recursion_traceback():
    [line] = _file_error("deep_nesting.yaml")
    assert "nested too deeply" in line and str(FIXTURES / "deep_nesting.yaml") in line


def test_duplicate_keys_are_refused_with_line_and_field_path():
    [line] = _file_error("duplicate_keys.yaml")
    assert line == f"{FIXTURES / 'duplicate_keys.yaml'}: line 13: budget.monthly_usd: duplicate key (YAML would keep only the last)"


def test_a_stack_file_with_the_spec_under_the_wrong_key_says_so_once():
    [line] = _file_error("wrong_config_key.yaml")
    assert "config.mlplat:platform: missing" in line and "'mlplat:platfrom'" in line


@pytest.mark.parametrize("fixture, field", [
    ("infinite_budget.yaml", "budget.monthly_usd"),
    ("nan_request_rate.yaml", "usage.endpoint_requests_per_second.fraud-scorer"),
])
def test_non_finite_numbers_are_refused(fixture, field):
    [line] = _file_error(fixture)
    assert f": {field}: " in line and "finite" in line


@pytest.mark.parametrize("path, value", [
    (("budget", "monthly_usd"), float("inf")),
    (("budget", "monthly_usd"), 1e300),
    (("usage", "training_gpu_hours"), float("inf")),
    (("usage", "stored_gb"), float("nan")),
    (("usage", "requests_per_replica_per_second"), float("inf")),
    (("usage", "endpoint_requests_per_second", "fraud-scorer"), -1.0),
    (("usage", "endpoint_requests_per_second", "fraud-scorer"), float("-inf")),
])
def test_amounts_rates_and_counts_must_be_finite_and_in_range(path, value):
    raw = copy.deepcopy(EXAMPLE)
    target = raw
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    [line] = _error(raw)
    assert line.startswith(f"spec.yaml: {PREFIX}.{'.'.join(path)}: ")


def test_odd_keys_stay_one_quoted_key_in_the_path():
    raw = copy.deepcopy(EXAMPLE)
    raw["usage"]["endpoint_requests_per_second"] = {".\x1f": 1}
    [line] = _error(raw)
    assert line.startswith(f'spec.yaml: {PREFIX}.usage.endpoint_requests_per_second[".\\u001f"]: no endpoint named')


def test_tag_keys_with_spaces_are_quoted():
    raw = copy.deepcopy(EXAMPLE)
    raw["finops"]["tags"]["cost center"] = "x" * 300
    [line] = _error(raw)
    assert line.startswith(f'spec.yaml: {PREFIX}.finops.tags["cost center"]: ')


def test_huge_values_are_cut_in_messages():
    raw = copy.deepcopy(EXAMPLE)
    raw["finops"]["tags"]["big"] = "x" * 5_000_000
    [line] = _error(raw)
    assert len(line) < MAX_LINE + 60 and "characters cut" in line
    assert line.startswith(f"spec.yaml: {PREFIX}.finops.tags.big: ")
    assert line.endswith("+ - = . _ : / @")  # the explanation survives the cut


def test_messages_name_yaml_shapes_not_model_classes():
    raw = copy.deepcopy(EXAMPLE)
    raw["use_cases"] = [1]
    raw["budget"] = [1]
    lines = _error(raw)
    assert not any("instance of" in line for line in lines), lines
    assert f"spec.yaml: {PREFIX}.budget: expected a mapping of keys to values" in lines


def test_region_errors_read_well_on_every_cloud():
    raw = dict(copy.deepcopy(EXAMPLE), cloud="azure")
    [line] = _error(raw)
    assert "'us-east-1' is a region of aws, not a region of azure; the nearest azure region is 'eastus'" in line


def test_gcp_budgets_notify_at_most_five_channels_at_validation():
    [line] = _file_error("gcp_budget_six_notify.yaml")
    assert ": budget.notify: 6 addresses; gcp allows at most 5 notification channels per budget" in line


def test_an_aws_region_without_a_default_serving_image_is_refused_at_validation_with_the_full_path():
    [line] = _file_error("aws_region_without_default_image.yaml")
    assert ": endpoints.0.model.image: no prebuilt sklearn serving image known for il-central-1" in line


def test_sagemaker_feature_groups_hold_at_most_2500_feature_definitions():
    raw = copy.deepcopy(EXAMPLE)
    raw["feature_store"]["feature_groups"][0]["features"] = {f"f{i}": "float" for i in range(2499)}
    [line] = _error(raw)
    assert f"{PREFIX}.feature_store.feature_groups.0.features: 2499 features; aws allows at most 2500" in line
    raw["feature_store"]["feature_groups"][0]["features"] = {f"f{i}": "float" for i in range(2498)}
    parse_spec(raw, "spec.yaml", PREFIX)  # 2,498 features + entity + event time = 2,500


def test_gpu_endpoints_default_to_a_prebuilt_gpu_container():
    spec = load_spec_file(FIXTURES / "gpu_endpoint_without_image.yaml").spec
    assert spec.endpoints[0].compute == "t4" and spec.endpoints[0].model.image is None
