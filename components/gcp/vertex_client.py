"""The few Vertex AI calls the deployer makes (GAPIC clients of google-cloud-aiplatform, imported lazily so
that planning never needs them), and the credentials they run with."""

from __future__ import annotations

import time

from .vertex_versions import as_count, display_name

# Custom images follow one container contract on every cloud: port 8080, GET /ping, POST /invocations.
CONTAINER_PORT = 8080
HEALTH_ROUTE = "/ping"
PREDICT_ROUTE = "/invocations"
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
REPLICA_MASK = ["dedicated_resources.min_replica_count", "dedicated_resources.max_replica_count"]
# Uploading a large model or deploying onto GPU nodes routinely takes longer than the client's default
# 900 s wait: wait up to an hour for each long-running operation.
OPERATION_TIMEOUT = 3600
POLL_SECONDS = 15
# PSC automation creates a private endpoint's forwarding rule asynchronously: wait this long for its
# address (or its error) before reporting it as not there yet.
PSC_WAIT_SECONDS = 600


def credentials(props: dict):
    """The deployer's Google credentials: None (the client libraries then use Application Default
    Credentials), or ADC impersonating `impersonate_service_account` through `impersonate_delegates`."""
    target = props.get("impersonate_service_account")
    if not target:
        return None
    import google.auth
    from google.auth import impersonated_credentials

    source, _ = google.auth.default(scopes=SCOPES)
    return impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=target,
        target_scopes=SCOPES,
        delegates=list(props.get("impersonate_delegates") or []) or None,
    )



class VertexClient:
    """The few Vertex AI calls the deployer makes. Pass `endpoint_client`/`model_client` (GAPIC
    EndpointServiceClient / ModelServiceClient, e.g. over another transport) or let it build them."""

    def __init__(
        self,
        location: str,
        endpoint_client=None,
        model_client=None,
        poll_seconds: float = POLL_SECONDS,
        psc_wait_seconds: float = PSC_WAIT_SECONDS,
        credentials=None,
    ):
        if endpoint_client is None or model_client is None:
            from google.cloud import aiplatform_v1

            options = {"api_endpoint": f"{location}-aiplatform.googleapis.com"}
            endpoint_client = endpoint_client or aiplatform_v1.EndpointServiceClient(
                credentials=credentials, client_options=options
            )
            model_client = model_client or aiplatform_v1.ModelServiceClient(credentials=credentials, client_options=options)
        self.endpoints = endpoint_client
        self.models = model_client
        self.poll_seconds = poll_seconds
        self.psc_wait_seconds = psc_wait_seconds

    def deployed_models(self, endpoint: str) -> tuple[list, dict[str, int]]:
        current = self.endpoints.get_endpoint(name=endpoint)
        return list(current.deployed_models), dict(current.traffic_split)

    def private_access(self, endpoint: str, wait: bool = True) -> dict[str, str | None]:
        """Where a Private Service Connect endpoint is reached: the forwarding rule Vertex AI created in
        the VPC (PSC automation), its internal IP and the endpoint's dedicated DNS name. PSC automation
        runs asynchronously: with `wait`, polls (up to psc_wait_seconds) until it has an address or has
        failed; whatever is known then is returned (a missing IP is None, never guessed)."""
        from google.cloud import aiplatform_v1

        failed = aiplatform_v1.PSCAutomationState.PSC_AUTOMATION_STATE_FAILED
        deadline = time.monotonic() + (self.psc_wait_seconds if wait else 0)
        while True:
            current = self.endpoints.get_endpoint(name=endpoint)
            automated = list(current.private_service_connect_config.psc_automation_configs)
            first = automated[0] if automated else None
            access = {
                "ip_address": (first.ip_address or None) if first else None,
                "forwarding_rule": (first.forwarding_rule or None) if first else None,
                "psc_error": (first.error_message or None) if first else None,
                "dedicated_endpoint_dns": current.dedicated_endpoint_dns or None,
            }
            settled = first is None or access["ip_address"] or access["psc_error"] or first.state == failed
            if settled or time.monotonic() >= deadline:
                return access
            time.sleep(self.poll_seconds)

    def wait_for_pending(self, endpoint: str) -> None:
        """Wait (up to OPERATION_TIMEOUT) for the endpoint's unfinished operations, e.g. a deployment the
        previous run stopped waiting for, so its deployed model can be adopted rather than duplicated."""
        from google.longrunning import operations_pb2

        pending: list = []
        token = ""
        while True:  # every page: a long history puts the running operation on any of them
            listed = self.endpoints.list_operations(
                operations_pb2.ListOperationsRequest(name=endpoint, page_token=token)
            )
            pending += [operation for operation in listed.operations if not operation.done]
            token = listed.next_page_token
            if not token:
                break
        deadline = time.monotonic() + OPERATION_TIMEOUT
        for operation in pending:
            while not operation.done:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"operation {operation.name} on {endpoint} still running after {OPERATION_TIMEOUT} s; "
                        "run `pulumi up` again once it has finished"
                    )
                time.sleep(self.poll_seconds)
                operation = self.endpoints.get_operation(operations_pb2.GetOperationRequest(name=operation.name))

    def find_model(self, parent: str, name: str) -> str | None:
        """An uploaded model of this display name (a previous run's upload), newest first."""
        found = list(self.models.list_models(request={"parent": parent, "filter": f'display_name="{name}"'}))
        found.sort(key=lambda m: m.create_time, reverse=True)
        return found[0].name if found else None

    def upload(self, parent: str, props: dict, version: dict) -> str:
        from google.cloud import aiplatform_v1

        name = display_name(props, version)
        existing = self.find_model(parent, name)
        if existing:
            return existing
        container = aiplatform_v1.ModelContainerSpec(image_uri=version["image"])
        if not version.get("default_image"):
            container = aiplatform_v1.ModelContainerSpec(
                image_uri=version["image"],
                ports=[aiplatform_v1.Port(container_port=CONTAINER_PORT)],
                predict_route=PREDICT_ROUTE,
                health_route=HEALTH_ROUTE,
            )
        model = aiplatform_v1.Model(
            display_name=name,
            artifact_uri=version["artifact_uri"],
            container_spec=container,
            labels=props.get("labels") or {},
            encryption_spec=aiplatform_v1.EncryptionSpec(kms_key_name=props["kms_key"]) if props.get("kms_key") else None,
        )
        # UploadModelRequest.service_account: the account (of this project) that reads the artifact and image;
        # empty, the project's Vertex AI service agent does.
        operation = self.models.upload_model(
            request={"parent": parent, "model": model, "service_account": props.get("upload_service_account") or ""}
        )
        return operation.result(timeout=OPERATION_TIMEOUT).model

    def deploy(self, endpoint: str, props: dict, version: dict, model: str, traffic: dict[str, int]) -> str:
        from google.cloud import aiplatform_v1

        machine = aiplatform_v1.MachineSpec(machine_type=version["machine_type"])
        if version.get("accelerator_type"):
            machine = aiplatform_v1.MachineSpec(
                machine_type=version["machine_type"],
                accelerator_type=version["accelerator_type"],
                accelerator_count=as_count(version.get("accelerator_count")) or 1,
            )
        deployed = aiplatform_v1.DeployedModel(
            model=model,
            display_name=display_name(props, version),
            service_account=props.get("service_account") or "",
            dedicated_resources=aiplatform_v1.DedicatedResources(
                machine_spec=machine,
                min_replica_count=as_count(version["min_replicas"]),
                max_replica_count=as_count(version["max_replicas"]),
            ),
        )
        # "0" is the model being deployed: it joins with no traffic (or all of it on an empty endpoint).
        split = {**traffic, "0": 0} if traffic else {"0": 100}
        operation = self.endpoints.deploy_model(endpoint=endpoint, deployed_model=deployed, traffic_split=split)
        return operation.result(timeout=OPERATION_TIMEOUT).deployed_model.id

    def set_replicas(self, endpoint: str, deployed_model_id: str, version: dict) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        deployed = aiplatform_v1.DeployedModel(
            id=deployed_model_id,
            dedicated_resources=aiplatform_v1.DedicatedResources(
                min_replica_count=as_count(version["min_replicas"]),
                max_replica_count=as_count(version["max_replicas"]),
            ),
        )
        operation = self.endpoints.mutate_deployed_model(
            endpoint=endpoint, deployed_model=deployed, update_mask=field_mask_pb2.FieldMask(paths=REPLICA_MASK)
        )
        operation.result(timeout=OPERATION_TIMEOUT)

    def set_labels(self, model: str, labels: dict[str, str]) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        self.models.update_model(
            model=aiplatform_v1.Model(name=model, labels=labels),
            update_mask=field_mask_pb2.FieldMask(paths=["labels"]),
        )

    def set_traffic(self, endpoint: str, split: dict[str, int]) -> None:
        from google.cloud import aiplatform_v1
        from google.protobuf import field_mask_pb2

        # update_endpoint is synchronous in GAPIC: it returns the updated Endpoint.
        self.endpoints.update_endpoint(
            endpoint=aiplatform_v1.Endpoint(name=endpoint, traffic_split=split),
            update_mask=field_mask_pb2.FieldMask(paths=["traffic_split"]),
        )

    def undeploy(self, endpoint: str, deployed_model_id: str, traffic: dict[str, int]) -> None:
        remaining = {k: v for k, v in traffic.items() if k != deployed_model_id}
        operation = self.endpoints.undeploy_model(
            endpoint=endpoint, deployed_model_id=deployed_model_id, traffic_split=remaining
        )
        operation.result(timeout=OPERATION_TIMEOUT)

    def delete_model(self, model: str) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self.models.delete_model(name=model).result(timeout=OPERATION_TIMEOUT)
        except NotFound:
            pass  # already gone is done

