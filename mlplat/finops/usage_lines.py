"""The usage-driven lines of the estimate: endpoint replicas scaled by requests, drift monitors by the traffic
they analyse (scheduled retraining and batch inference: scheduled_runs.py). `mlplat/finops/estimate.py` calls
these for the charges whose quantity comes from the spec and the `usage:` assumptions rather than the inputs."""

from __future__ import annotations

from .charges import HOURS_PER_MONTH, Charge


class EstimateError(ValueError):
    """A usage assumption that does not fit the spec; the message names the field."""


def endpoint_spec(spec: dict | None, name: str | None) -> dict | None:
    for endpoint in (spec or {}).get("endpoints") or []:
        if endpoint.get("name") == name:
            return endpoint
    return None


def batch_capacity(cloud: str) -> str:
    from components.registry import cloud_of

    return cloud_of(cloud).batch_inference_capacity


def monitored_lines(r, c: Charge, row, usage, spec, add, not_modelled: list) -> None:
    """GB a drift monitor analyses a month: its endpoint's requests x sampling rate x request size. The
    monitor is named `<platform>-<env>-<endpoint>-monitor` (components/gcp/monitoring.py). Without a stated
    request rate for the endpoint there is nothing to price: the monitor is listed as not priced, never as
    a $0 line (an unstated rate is not a zero rate)."""
    names = [e.get("name") for e in (spec or {}).get("endpoints") or []]
    endpoint = next((n for n in names if str(c.params["monitor"]).endswith(f"-{n}-monitor")), None)
    rates = usage.get("endpoint_requests_per_second") or {}
    if endpoint not in rates:
        key = f"usage.endpoint_requests_per_second.{endpoint or '<endpoint>'}"
        sampling = c.params["sampling_rate"]
        not_modelled.append({"resource": r.name, "type": r.type, "capability": r.capability, "note": (
            f"not priced: {key} is not stated; Model Monitoring bills ${row.on_demand_usd:g} per GB it analyses "
            f"(the endpoint's requests x sampling rate {sampling:g} x {c.basis}): state the rate to price it")})
        return
    rps = float(rates[endpoint] or 0)
    gb = rps * HOURS_PER_MONTH * 3600 * c.params["sampling_rate"] * c.params["gb_per_request"]
    add(r, c, row, "usage", gb,
        f"usage.endpoint_requests_per_second.{endpoint} {rps:g} x {HOURS_PER_MONTH} h x sampling "
        f"{c.params['sampling_rate']:g} x {c.basis}", False)


def endpoint_lines(r, c: Charge, row, primary_weight, usage, spec, add) -> None:
    endpoint = endpoint_spec(spec, r.component)
    initial = int(c.params.get("initial", 1) or 0)
    is_primary = c.params.get("weight", 0) == primary_weight
    if endpoint is not None:
        minimum, maximum = int(endpoint.get("min_replicas") or 0), int(endpoint.get("max_replicas") or 1)
        where = f"endpoints[{endpoint['name']}]"
    else:
        minimum, maximum, where = initial, initial, "inputs"
    if not is_primary:
        # Canary / secondary variants keep their own instances unless the endpoint scales to zero.
        count = 0 if minimum == 0 else initial
        add(r, c, row, "idle", count * HOURS_PER_MONTH, f"{count} canary replica(s) x {HOURS_PER_MONTH} h ({c.basis})", False)
        return
    add(r, c, row, "idle", minimum * HOURS_PER_MONTH,
        f"{where} min_replicas {minimum} x {HOURS_PER_MONTH} h ({c.basis})", False)
    rps = float((usage.get("endpoint_requests_per_second") or {}).get(r.component or "", 0) or 0)
    share = c.params.get("traffic_share")
    described = f"usage.endpoint_requests_per_second.{r.component} {rps:g}"
    if share is not None:  # one of several deployments, each scaled for its own share of the traffic
        rps *= share
        described += f" x {share:.0%} traffic share"
    capacity = float(usage["requests_per_replica_per_second"])
    needed = min(max(rps / capacity, minimum), maximum)
    extra = needed - minimum
    if rps > 0:
        add(r, c, row, "usage", extra * HOURS_PER_MONTH,
            f"{described} / usage.requests_per_replica_per_second "
            f"{capacity:g} = {rps / capacity:.2f} replicas, clamped to [{minimum}, {maximum}], minus min "
            f"{minimum} = {extra:.2f} x {HOURS_PER_MONTH} h", False)
