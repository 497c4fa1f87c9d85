"""The Kubernetes manifests hold what we promise: every service deployed, probed, limited, hardened."""

from pathlib import Path

import pytest
import yaml

from aww_devtools.stack import SERVICES

BASE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"


def documents():
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    for name in kustomization["resources"]:
        yield from (doc for doc in yaml.safe_load_all((BASE / name).read_text()) if doc)


DEPLOYMENTS = {doc["metadata"]["name"]: doc for doc in documents() if doc["kind"] == "Deployment"}


def test_every_service_and_the_gateway_is_deployed():
    expected = {spec.name.replace("_", "-") for spec in SERVICES} | {"gateway"}
    assert set(DEPLOYMENTS) == expected


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_deployment_is_probed_limited_and_hardened(name):
    pod = DEPLOYMENTS[name]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"]:
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]


def test_services_start_with_the_runner_and_green_psycopg():
    config = next(doc for doc in documents() if doc["kind"] == "ConfigMap")
    assert config["data"]["PSYCOPG_WAIT_FUNC"] == "wait_select"
    for spec in SERVICES:
        container = DEPLOYMENTS[spec.name.replace("_", "-")]["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["python", "-m", "servicekit.runner", spec.entry]


def test_reporting_validates_goaml_against_the_mounted_schema():
    pod = DEPLOYMENTS["reporting"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    path = {item["name"]: item["value"] for item in container["env"]}["GOAML_XSD_PATH"]
    mount = next(m for m in container["volumeMounts"] if path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == "goaml-schema" and mount["readOnly"] is True
