"""Region validation and cross-cloud region choice: the region must exist, offer what the spec asks for
and keep the spec's residency; rendering on another cloud picks the nearest region that can host it."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from components.catalog import regions as catalog
from components.spec import SpecError, parse_spec
from tests.support.plans import CLOUDS, ROOT, plan_of_spec
from tests.support.properties import share

EXAMPLE = yaml.safe_load((ROOT / "examples" / "fraud-ml.yaml").read_text())
LOOP = yaml.safe_load((ROOT / "examples" / "closing-the-loop.yaml").read_text())


def spec(cloud: str, region: str, **changes) -> dict:
    raw = copy.deepcopy(EXAMPLE)
    raw.update(cloud=cloud, region=region, **changes)
    return raw


def every_capability(cloud: str, region: str) -> dict:
    """A spec asking for every capability a region can be asked for: closing-the-loop (use cases, training,
    registry, an endpoint, retraining, batch inference) with fraud-ml's feature store, vector search, budget,
    alerts and endpoint monitoring, and rag on the catalogue's default models. Promotion is left out: its
    principal is an account, subscription or project of one cloud."""
    raw, fraud = copy.deepcopy(LOOP), copy.deepcopy(EXAMPLE)
    for key in ("budget", "feature_store", "vector_search", "alerts"):
        raw[key] = fraud[key]
    raw["endpoints"][0]["monitoring"] = fraud["endpoints"][0]["monitoring"]
    raw.update(cloud=cloud, region=region, rag={})
    return raw


def error_of(raw: dict, cloud: str | None = None, region: str | None = None) -> str:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, "spec.yaml", "", cloud, region)
    return str(caught.value)


def test_a_misspelled_region_gets_did_you_mean_with_the_nearest_ids():
    message = error_of(spec("aws", "us-est-1"))
    assert message.startswith("spec.yaml: region: 'us-est-1' is not a region of aws; did you mean")
    assert "'us-east-1'" in message
    assert "'europe-west4'" in error_of(spec("gcp", "europe-west-4"))


def test_a_region_of_another_cloud_says_which_cloud():
    assert "is a region of gcp, not a region of aws" in error_of(spec("aws", "europe-west4"))


def test_a_shape_alike_region_that_does_not_exist_is_rejected():
    assert "is not a region of aws" in error_of(spec("aws", "us-foo-9"))


def test_a_capability_not_offered_names_capability_region_and_nearest_regions_offering_it():
    message = error_of(spec("aws", "af-south-1"))
    assert "vector_search: vector_search (OpenSearch Serverless) is not offered in aws region af-south-1" in message
    assert "nearest regions offering it: sa-east-1" in message


def test_a_gpu_class_not_offered_in_the_region_is_a_validation_error():
    message = error_of(spec("gcp", "us-east4"))  # the example trains on a100; us-east4 has no A100 40GB
    assert "spec.yaml: training.gpu: gcp offers no a100 GPUs in us-east4" in message
    assert "us-central1" in message


def test_a_gpu_class_aws_or_azure_lacks_in_the_region_names_field_region_and_nearest_offering_it():
    message = error_of(spec("aws", "eu-west-3"))  # the example trains on 8 x a100: no p4d in Paris
    assert "spec.yaml: training.gpu: aws offers no a100 GPUs in eu-west-3" in message
    assert "nearest regions known to offer a100: eu-central-1 (" in message
    raw = spec("azure", "centralus")
    raw["training"] = {**raw["training"], "gpu": "t4", "gpus_per_node": 1}
    raw["endpoints"][0]["compute"] = "h100"
    message = error_of(raw)
    assert "spec.yaml: endpoints.0.compute: azure offers no h100 GPUs in centralus" in message
    assert "training.gpu" not in message  # centralus has T4 sizes


def test_cross_cloud_rendering_picks_a_region_offering_the_gpu_class():
    raw = spec("gcp", "us-central1")  # 8 x a100; Azure's Central US has no ND A100 v4 size
    chosen = parse_spec(raw, "s", "", "azure").region
    assert catalog.offers("azure", chosen, "gpu:a100") and chosen != "centralus"
    assert catalog.offers("aws", parse_spec(spec("gcp", "europe-west9"), "s", "", "aws").region, "gpu:a100")


def test_the_plan_says_when_the_gpu_availability_of_the_chosen_region_is_unknown(tmp_path):
    from mlplat.offline_plan import plan_file

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec("gcp", "europe-west4")))  # 8 x a100; Azure data covers US regions only
    (gap,) = [g["gap"] for g in plan_file(path, "azure").gaps if g["capability"] == "region"]
    assert gap.startswith("gcp europe-west4 -> azure westeurope, ")
    assert "a100 GPU availability in westeurope is not in the region catalogue" in gap
    (gap,) = [g["gap"] for g in plan_file(path, "aws").gaps if g["capability"] == "region"]
    assert "GPU availability" not in gap  # eu-central-1 is known to offer p4d


def test_a_region_without_gpu_data_still_validates():
    assert parse_spec(spec("gcp", "europe-west4"), "spec.yaml").region == "europe-west4"


def test_eu_residency_rejects_a_region_outside_the_eu():
    message = error_of(spec("aws", "us-east-1", residency="eu"))
    assert "residency: 'eu'" in message and "eu-" in message
    assert parse_spec(spec("aws", "eu-central-1", residency="eu"), "spec.yaml").residency == "eu"


def test_rendering_on_another_cloud_uses_the_nearest_region_offering_everything():
    assert parse_spec(spec("gcp", "europe-west4"), "s", "", "aws").region == "eu-central-1"
    assert parse_spec(spec("gcp", "europe-west4"), "s", "", "azure").region == "westeurope"
    # --region still overrides the choice.
    assert parse_spec(spec("gcp", "europe-west4"), "s", "", "aws", "eu-west-1").region == "eu-west-1"


def rag_spec(cloud: str, region: str, **changes) -> dict:
    return spec(cloud, region, rag={}, **changes)


def test_rendering_with_rag_picks_a_region_offering_the_models():
    """A GCP spec in Belgium with rag renders on AWS and Azure in a region serving both default models (on
    AWS in-region or through Bedrock's geographic cross-Region profile; the plan says how far)."""
    raw = rag_spec("gcp", "europe-west1", training={**EXAMPLE["training"], "gpu": "h100"})
    for cloud in ("aws", "azure"):
        chosen = parse_spec(raw, "s", "", cloud).region
        assert catalog.offers(cloud, chosen, "model:chat-small") and catalog.offers(cloud, chosen, "model:embed-text")
        assert catalog.offers(cloud, chosen, "gpu:h100")
    assert parse_spec(rag_spec("gcp", "europe-west1"), "s", "", "aws").region.startswith("eu-")
    without = spec("gcp", "europe-west1", training=raw["training"])
    assert parse_spec(without, "s", "", "aws").region.startswith("eu-")


def test_compare_prices_a_rag_spec_on_every_cloud(tmp_path):
    from functools import partial

    from mlplat.finops.compare import compare
    from mlplat.offline_plan import plan_file
    from tests.support.plans import write_spec

    raw = rag_spec("gcp", "europe-west1", training={**EXAMPLE["training"], "gpu": "h100"})
    columns = compare(partial(plan_file, write_spec(tmp_path, raw)))
    assert [(c.cloud, c.error) for c in columns] == [(c, []) for c in CLOUDS]
    assert all(catalog.offers(c.cloud, c.region, "model:chat-small") for c in columns)


def test_no_region_offering_a_rag_model_under_residency_names_the_field_and_the_nearest_outside():
    message = error_of(rag_spec("gcp", "europe-west1", residency="eu",
                                training={**EXAMPLE["training"], "gpu": "h100"}), "aws")
    assert "spec.yaml: region: no aws region in the EU/EEA (residency: eu) can host the spec of gcp europe-west1" in message
    # each is offered somewhere in the EU (the chat model through Bedrock's eu. cross-Region profile), no region all
    assert "none offers all of" in message and "training.gpu (gpu:h100)" in message
    assert "rag.chat_model (model:chat-small), rag.embedding_model (model:embed-text)" in message
    assert "no known" not in message


def test_a_rag_model_not_offered_in_the_region_names_the_field_and_the_nearest_regions():
    message = error_of(rag_spec("aws", "sa-east-1"))  # in no geography of the chat model's cross-Region profiles
    assert ("spec.yaml: rag.chat_model: chat-small (amazon.nova-lite-v1:0) is not offered on aws in region "
            "sa-east-1; nearest regions offering it: us-east-1 (") in message
    assert "spec.yaml: rag.embedding_model: embed-text (amazon.titan-embed-text-v2:0) is not offered on aws in " \
           "region sa-east-1; nearest regions offering it: us-east-1 (" in message
    message = error_of(rag_spec("aws", "eu-west-1"))  # the chat model through the eu. profile; no embedding model
    assert "rag.chat_model" not in message
    assert ("spec.yaml: rag.embedding_model: embed-text (amazon.titan-embed-text-v2:0) is not offered on aws in "
            "region eu-west-1; nearest regions offering it: eu-west-2 (") in message


def test_rendering_with_eu_residency_stays_in_the_eu():
    rendered = parse_spec(spec("azure", "switzerlandnorth", residency="eu"), "s", "", "aws")
    assert catalog.region("aws", rendered.region).boundary == "EU"


def test_the_plan_states_the_region_move():
    from mlplat.offline_plan import plan_file

    path = ROOT / "examples" / "fraud-ml.yaml"
    plan = plan_file(path, "gcp")
    gaps = [g["gap"] for g in plan.gaps if g["capability"] == "region"]
    assert gaps and gaps[0].startswith(f"aws us-east-1 -> gcp {plan.spec['region']}, ")
    assert "same residency" in gaps[0]
    assert not [g for g in plan_file(path).gaps if g["capability"] == "region"]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_example_renders_on_every_cloud(cloud):
    from mlplat.offline_plan import plan_file

    plan = plan_file(ROOT / "examples" / "fraud-ml.yaml", cloud)
    assert plan.cloud == cloud and plan.resources


REGIONS = [(cloud, r.id) for cloud in catalog.CLOUDS for r in catalog.regions(cloud)]


@settings(share(0.05), derandomize=True)  # the same regions every run: a red run is reproducible
@given(st.sampled_from(REGIONS), st.sampled_from(["t4", "a100", "h100"]))  # GPU classes every cloud offers
def test_any_region_of_any_cloud_either_plans_everywhere_or_names_capability_and_region(tmp_path_factory, where, gpu):
    """Every capability in the spec: on each cloud the spec plans (offline, under the mocks), or the error
    names what is missing where; it never stops at "no known equivalent"."""
    from mlplat.offline_plan import plan_file

    cloud, region = where
    raw = every_capability(cloud, region)
    raw["training"] = {**raw["training"], "gpu": gpu, "gpus_per_node": 1 if gpu != "a100" else 8}
    path = tmp_path_factory.mktemp("region") / "spec.yaml"
    path.write_text(yaml.safe_dump(raw))
    for target in CLOUDS:
        try:
            plan = plan_file(path, target)
        except SpecError as error:
            message = str(error)
            assert "no known" not in message
            assert all(line.startswith(f"{path}: ") for line in error.lines), message
            assert any(f"{c}" in message for c in (*catalog.CAPABILITIES, "training.gpu", "endpoints.", "rag.", "region")), message
            assert region in message or "region" in message, message
        else:
            assert plan.cloud == target and plan.resources
            chosen = plan.spec["region"]
            assert catalog.region(target, chosen) is not None
            # The region chosen (or kept) is never one the data says lacks the GPU class or a RAG model.
            for what in (f"gpu:{gpu}", "model:chat-small", "model:embed-text"):
                assert not catalog.lacks(target, chosen, what), (target, chosen, what)
            assert EVERY <= {r.capability for r in plan.custom_resources()}, target


EVERY = {"training", "feature_store", "registry", "endpoints", "vector_search", "rag", "budget", "use_cases",
         "monitoring", "retraining", "batch_inference"}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_every_capability_spec_plans_every_capability_on_every_cloud(tmp_path, cloud):
    """The property test's spec is valid where everything is offered: its failures elsewhere are the region's."""
    plan = plan_of_spec(tmp_path, every_capability("aws", "us-east-1"), cloud)
    assert EVERY <= {r.capability for r in plan.custom_resources()}


def test_every_region_problem_of_a_spec_is_reported_at_once():
    """A region lacking several things the spec asks for: one line per field, not the first alone."""
    raw = spec("gcp", "northamerica-south1")  # the catalogue offers training and budgets only there
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, "spec.yaml")
    fields = [line.split(": ")[1] for line in caught.value.lines]
    assert {"feature_store", "registry", "endpoints"} <= set(fields), caught.value.lines
    assert all("northamerica-south1" in line for line in caught.value.lines), caught.value.lines
