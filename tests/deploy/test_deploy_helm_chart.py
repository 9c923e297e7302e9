"""Offline tests of the Helm chart in helm/kpi: render, lint, validate against Kubernetes schemas.

No cluster and no helm binary: the chart is rendered by Helm's own Go engine through
``helm-python-sdk`` (bundles libhelm_c) and every manifest is validated with ``kubernetes-validate``
(ships the JSON schemas). Both are required: a missing tool FAILS these tests, it never skips them.
"""

from __future__ import annotations

import copy
import socket
from pathlib import Path

import pytest

try:
    import yaml
except ImportError:  # pragma: no cover - reported by the fixture below
    yaml = None
try:
    import helm_python
except ImportError:  # pragma: no cover - reported by the fixture below
    helm_python = None
try:
    import kubernetes_validate
except ImportError:  # pragma: no cover - reported by the fixture below
    kubernetes_validate = None

CHART = Path(__file__).resolve().parents[2] / "helm" / "kpi"
# Oldest Kubernetes the chart supports (Chart.yaml kubeVersion >=1.25) and the newest schemas.
KUBE_VERSIONS = ("1.25.0", "latest")

APP_URL = "postgresql+psycopg://kpi_app:app-pass@pg-rw.db.svc:5432/kpi"
OWNER_URL = "postgresql+psycopg://kpi_owner:owner-pass@pg-rw.db.svc:5432/kpi"
BACKUP_URL = "postgresql+psycopg://kpi_backup:backup-pass@pg-rw.db.svc:5432/kpi"
REQUIRED = {
    "secrets": {"secretKey": "s" * 48, "metricsToken": "metrics-token-value"},
    "database": {"url": APP_URL, "ownerUrl": OWNER_URL},
    "redis": {"url": "redis://:pw@redis.redis.svc:6379/0"},
}


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


VALUE_SETS = {
    "defaults": REQUIRED,
    "existing_secret": {"secrets": {"existingSecret": "kpi-prod-secrets"}},
    "autoscaling_off": _merge(REQUIRED, {"autoscaling": {"enabled": False}}),
    "ingress_tls": _merge(
        REQUIRED,
        {
            "ingress": {
                "enabled": True,
                "hosts": [{"host": "kpi.thanhhoa.example", "paths": [{"path": "/"}]}],
                "tls": [{"secretName": "kpi-tls", "hosts": ["kpi.thanhhoa.example"]}],
            }
        },
    ),
    "backup": _merge(
        REQUIRED,
        {
            "database": {"backupUrl": BACKUP_URL},
            "persistence": {"enabled": True},
            "backup": {"enabled": True, "schedule": "15 2 * * *", "retention": 7},
        },
    ),
    "persistence_no_netpol": _merge(
        REQUIRED,
        {
            "persistence": {"enabled": True, "storageClass": "nfs-client"},
            "networkPolicy": {"enabled": False},
            "podDisruptionBudget": {"enabled": False},
            "image": {"digest": "sha256:" + "a" * 64},
        },
    ),
}


# --- tools --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def helm():
    if yaml is None:
        pytest.fail("PyYAML is not installed: `pip install pyyaml`", pytrace=False)
    if helm_python is None:
        pytest.fail(
            "helm-python-sdk is not installed: `pip install helm-python-sdk` "
            "(renders Helm charts offline, no helm binary needed)",
            pytrace=False,
        )
    return helm_python


@pytest.fixture(scope="module")
def kube_validate():
    if kubernetes_validate is None:
        pytest.fail(
            "kubernetes-validate is not installed: `pip install kubernetes-validate`",
            pytrace=False,
        )
    return kubernetes_validate


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt by Python code to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted during an offline test: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def render_raw(helm, values: dict) -> dict[str, str]:
    with helm.Chart.load(str(CHART)) as chart:
        return chart.render(values, name="kpi", namespace="kpi-prod", is_install=True)


def render(helm, values: dict) -> list[dict]:
    docs = []
    for name, text in sorted(render_raw(helm, values).items()):
        if name.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                doc.setdefault("_template", name)
                docs.append(doc)
    return docs


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def rendered(request, helm):
    return request.param, render(helm, VALUE_SETS[request.param])


@pytest.fixture(scope="module")
def by_set(helm):
    return {name: render(helm, values) for name, values in VALUE_SETS.items()}


def kind(docs, k):
    return [d for d in docs if d["kind"] == k]


def one(docs, k, name):
    found = [d for d in docs if d["kind"] == k and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {k} {name}, found {len(found)}"
    return found[0]


def pod_specs(docs):
    for d in docs:
        if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield d, d["spec"]["template"]["spec"]
        elif d["kind"] == "CronJob":
            yield d, d["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def env_of(container) -> dict:
    return {e["name"]: e for e in container.get("env", [])}


def clean(doc):
    return {k: v for k, v in doc.items() if not k.startswith("_")}


# --- rendering, lint, schemas -------------------------------------------------------------------
def test_renders_offline_and_objects_are_complete(rendered, no_network):
    """Each value set renders, without network, to the core objects of a release."""
    name, docs = rendered
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Job", "Service", "ConfigMap", "ServiceAccount"} <= kinds, name
    for d in docs:
        assert d["metadata"]["name"], d
        assert d["metadata"]["labels"]["app.kubernetes.io/instance"] == "kpi"


@pytest.mark.parametrize("set_name", sorted(VALUE_SETS))
def test_helm_lint_strict_is_clean(helm, set_name):
    """`helm lint --strict` reports no warning or error for any value set."""
    result = helm.lint(str(CHART), VALUE_SETS[set_name], strict=True, namespace="kpi-prod")
    assert result["errors"] == [], result
    # Helm severities: 1 info, 2 warning, 3 error. Nothing above info is acceptable.
    assert [m for m in result["messages"] if m["severity"] >= 2] == [], result


@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_every_manifest_matches_kubernetes_schema(rendered, kube_validate, version, no_network):
    """Every rendered object validates (strict) against the Kubernetes schemas."""
    name, docs = rendered
    target = kube_validate.utils.latest_version() if version == "latest" else version
    for d in docs:
        try:
            kube_validate.validate(clean(d), target, strict=True)
        except Exception as exc:  # report which object failed, with the schema error
            pytest.fail(f"[{name}] {d['kind']}/{d['metadata']['name']} invalid for {target}: {exc}")


def test_missing_required_values_fail_with_a_clear_message(helm):
    """Missing or unsafe secrets stop the render with a message naming the value."""
    with pytest.raises(helm.HelmError, match=r"secrets\.secretKey is required"):
        render_raw(helm, {})
    with pytest.raises(helm.HelmError, match=r"must not equal database\.ownerUrl"):
        render_raw(helm, _merge(REQUIRED, {"database": {"ownerUrl": APP_URL}}))
    with pytest.raises(helm.HelmError, match="at least 32 characters"):
        render_raw(helm, _merge(REQUIRED, {"secrets": {"secretKey": "short"}}))


def test_values_schema_rejects_typos_and_bad_worker_pools(helm):
    """values.schema.json turns a misspelt key or a pool without queues into a render error."""
    with pytest.raises(helm.HelmError, match="autoscalling"):
        render_raw(helm, _merge(REQUIRED, {"autoscalling": {"enabled": False}}))
    with pytest.raises(helm.HelmError, match="queues"):
        render_raw(helm, _merge(REQUIRED, {"workers": [{"name": "x", "queues": []}]}))
    with pytest.raises(helm.HelmError, match="database"):
        render_raw(helm, _merge(REQUIRED, {"database": {"url": "mysql://kpi@db/kpi"}}))


# --- security -----------------------------------------------------------------------------------
def test_no_container_runs_as_root_and_root_fs_is_read_only(rendered):
    """Every container runs as uid 10001, read-only root, no privileges, /tmp on emptyDir."""
    name, docs = rendered
    seen = 0
    for owner, spec in pod_specs(docs):
        where = f"[{name}] {owner['kind']}/{owner['metadata']['name']}"
        pod_sc = spec.get("securityContext", {})
        assert pod_sc.get("runAsNonRoot") is True, where
        assert pod_sc.get("runAsUser") not in (None, 0), where
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert spec.get("automountServiceAccountToken") is False, where
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for c in spec.get("initContainers", []) + spec["containers"]:
            sc = c.get("securityContext", {})
            cwhere = f"{where} container {c['name']}"
            assert "command" not in c, f"{cwhere}: use args, keep the tini ENTRYPOINT"
            assert sc.get("runAsNonRoot") is True, cwhere
            assert sc.get("runAsUser", pod_sc["runAsUser"]) == 10001, cwhere
            assert sc.get("readOnlyRootFilesystem") is True, cwhere
            assert sc.get("allowPrivilegeEscalation") is False, cwhere
            assert sc.get("privileged", False) is False, cwhere
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], cwhere
            assert not sc.get("capabilities", {}).get("add"), cwhere
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            assert mounts.get("/tmp") in tmp_volumes, f"{cwhere}: /tmp must be an emptyDir"
            res = c.get("resources", {})
            assert res.get("requests") and res.get("limits"), f"{cwhere}: requests and limits"
            seen += 1
    assert seen >= 7  # web, 4 workers, scheduler, migration


def test_web_has_liveness_and_readiness_probes(by_set):
    """The web container is probed on /healthz (liveness) and /readyz (readiness)."""
    for name, docs in by_set.items():
        web = one(docs, "Deployment", "kpi-web")
        (c,) = web["spec"]["template"]["spec"]["containers"]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", name
        assert c["ports"][0]["containerPort"] == 8000
        assert c["args"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
        assert "command" not in c  # keep the image ENTRYPOINT (tini) as PID 1
        grace = web["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace > int(env_of(c)["KPI_WEB_GRACEFUL_TIMEOUT"]["value"])


def test_configmap_holds_no_secret(by_set):
    """The ConfigMap carries only non-secret KPI_ settings."""
    cm = one(by_set["defaults"], "ConfigMap", "kpi")
    assert cm["data"]["KPI_ENV"] == "production"
    assert cm["data"]["KPI_LOG_FORMAT"] == "json"
    assert cm["data"]["KPI_SESSION_COOKIE_SECURE"] == "true"
    for key, value in cm["data"].items():
        assert not any(w in key for w in ("SECRET", "PASSWORD", "TOKEN", "DATABASE_URL")), key
        assert "pass" not in value, key


# --- migrations and the two database roles ------------------------------------------------------
@pytest.mark.parametrize("set_name", ["defaults", "existing_secret"])
def test_migration_job_is_a_pre_install_pre_upgrade_hook_with_owner_url(by_set, set_name):
    """Migrations run as a pre-install/pre-upgrade hook with the owner URL no other pod sees."""
    docs = by_set[set_name]
    job = one(docs, "Job", "kpi-migrate")
    hooks = set(job["metadata"]["annotations"]["helm.sh/hook"].split(","))
    assert hooks == {"pre-install", "pre-upgrade"}
    (c,) = job["spec"]["template"]["spec"]["containers"]
    assert c["args"] == ["kpi", "db", "upgrade"]
    owner_ref = env_of(c)["KPI_DATABASE_OWNER_URL"]["valueFrom"]["secretKeyRef"]

    web = one(docs, "Deployment", "kpi-web")["spec"]["template"]["spec"]["containers"][0]
    app_ref = env_of(web)["KPI_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert (owner_ref["name"], owner_ref["key"]) != (app_ref["name"], app_ref["key"])
    assert owner_ref["key"] != app_ref["key"]

    # No long-running container can even see the owner's credentials.
    for owner, spec in pod_specs(docs):
        if owner["kind"] == "Job":
            continue
        for container in spec["containers"]:
            env = env_of(container)
            assert "KPI_DATABASE_OWNER_URL" not in env, owner["metadata"]["name"]
            keys = {
                e["valueFrom"]["secretKeyRef"]["key"]
                for e in env.values()
                if "secretKeyRef" in e.get("valueFrom", {})
            }
            assert owner_ref["key"] not in keys, owner["metadata"]["name"]
            assert not container.get("envFrom", []) or all(
                "secretRef" not in src for src in container["envFrom"]
            )


def test_owner_url_lives_only_in_the_hook_secret(by_set):
    """The owner URL is only in a short-lived hook Secret, never in the app's Secret."""
    docs = by_set["defaults"]
    app_secret = one(docs, "Secret", "kpi")
    assert "helm.sh/hook" not in app_secret["metadata"].get("annotations", {})
    assert OWNER_URL not in yaml.safe_dump(app_secret)
    assert app_secret["stringData"]["database-url"] == APP_URL
    hook_secret = one(docs, "Secret", "kpi-migrate")
    annotations = hook_secret["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    # Created before the Job (lower weight), removed once the hooks succeeded.
    assert int(annotations["helm.sh/hook-weight"]) < 0
    assert "hook-succeeded" in annotations["helm.sh/hook-delete-policy"]
    assert hook_secret["stringData"]["database-owner-url"] == OWNER_URL


def test_existing_secret_renders_no_secret_and_is_referenced_everywhere(by_set):
    """With existingSecret the chart creates no Secret and every pod reads the named one."""
    docs = by_set["existing_secret"]
    assert kind(docs, "Secret") == []
    refs = set()
    for _, spec in pod_specs(docs):
        for c in spec["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.add(ref["name"])
    assert refs == {"kpi-prod-secrets"}
    for d in kind(docs, "Deployment"):
        assert "checksum/secret" not in d["spec"]["template"]["metadata"]["annotations"]


# --- workloads ----------------------------------------------------------------------------------
def test_one_worker_deployment_per_queue_and_a_single_scheduler(by_set):
    """Each queue has its own worker Deployment; the scheduler is one Recreate replica."""
    docs = by_set["defaults"]
    for queue in ("scoring", "feeds", "rollout", "io", "default"):
        dep = one(docs, "Deployment", f"kpi-worker-{queue}")
        (c,) = dep["spec"]["template"]["spec"]["containers"]
        assert c["args"] == ["kpi", "worker", queue]
        assert "readinessProbe" not in c  # no HTTP port in a worker
    sched = one(docs, "Deployment", "kpi-scheduler")
    assert sched["spec"]["replicas"] == 1
    assert sched["spec"]["strategy"] == {"type": "Recreate"}
    assert sched["spec"]["template"]["spec"]["containers"][0]["args"] == ["kpi", "scheduler"]
    assert not [h for h in kind(docs, "HorizontalPodAutoscaler") if "scheduler" in str(h)]


def test_worker_pools_come_from_values(helm):
    """Worker Deployments follow the `workers` list, queues in the given order."""
    values = _merge(REQUIRED, {"workers": [{"name": "bulk", "queues": ["io", "default"]}]})
    docs = render(helm, values)
    deps = {d["metadata"]["name"] for d in kind(docs, "Deployment")}
    assert deps == {"kpi-web", "kpi-scheduler", "kpi-worker-bulk"}
    c = one(docs, "Deployment", "kpi-worker-bulk")["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["kpi", "worker", "io", "default"]


def test_autoscaling_toggle(by_set):
    """autoscaling.enabled adds HPAs for web and workers; off, fixed replicas and no HPA."""
    on = by_set["defaults"]
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in kind(on, "HorizontalPodAutoscaler")}
    assert hpas == {
        "kpi-web",
        "kpi-worker-scoring",
        "kpi-worker-feeds",
        "kpi-worker-rollout",
        "kpi-worker-io",
        "kpi-worker-default",
    }
    # With an HPA the Deployment must not fight it over .spec.replicas.
    assert "replicas" not in one(on, "Deployment", "kpi-web")["spec"]

    off = by_set["autoscaling_off"]
    assert kind(off, "HorizontalPodAutoscaler") == []
    assert one(off, "Deployment", "kpi-web")["spec"]["replicas"] == 2
    assert one(off, "Deployment", "kpi-worker-scoring")["spec"]["replicas"] == 2
    # PDBs only where more than one replica runs (a PDB on one replica blocks node drains).
    pdbs = {p["metadata"]["name"] for p in kind(off, "PodDisruptionBudget")}
    assert pdbs == {"kpi-web", "kpi-worker-scoring"}


def test_ingress_with_tls(by_set):
    """The Ingress carries the TLS section and routes to the web Service when enabled."""
    assert kind(by_set["defaults"], "Ingress") == []
    ing = one(by_set["ingress_tls"], "Ingress", "kpi")
    assert ing["spec"]["tls"] == [{"secretName": "kpi-tls", "hosts": ["kpi.thanhhoa.example"]}]
    rule = ing["spec"]["rules"][0]
    assert rule["host"] == "kpi.thanhhoa.example"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "kpi", "port": {"name": "http"}}
    assert ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"


def test_network_policies_default_deny_ingress_for_workers(by_set):
    """Web accepts only port 8000 from the ingress; workers accept nothing."""
    docs = by_set["defaults"]
    web = one(docs, "NetworkPolicy", "kpi-web")
    assert web["spec"]["ingress"][0]["ports"] == [{"port": 8000, "protocol": "TCP"}]
    backend = one(docs, "NetworkPolicy", "kpi-backend")
    assert backend["spec"]["ingress"] == []
    assert set(backend["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert kind(by_set["persistence_no_netpol"], "NetworkPolicy") == []


def test_uploads_volume(by_set):
    """Uploads use an emptyDir by default and a kept ReadWriteMany PVC with persistence."""
    default_web = one(by_set["defaults"], "Deployment", "kpi-web")["spec"]["template"]["spec"]
    data = next(v for v in default_web["volumes"] if v["name"] == "data")
    assert "emptyDir" in data
    docs = by_set["persistence_no_netpol"]
    pvc = one(docs, "PersistentVolumeClaim", "kpi-uploads")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    web = one(docs, "Deployment", "kpi-web")["spec"]["template"]["spec"]
    data = next(v for v in web["volumes"] if v["name"] == "data")
    assert data["persistentVolumeClaim"]["claimName"] == "kpi-uploads"
    assert web["containers"][0]["image"] == "registry.example.invalid/kpi-congvu@sha256:" + "a" * 64


# --- backups ------------------------------------------------------------------------------------
def test_backup_cronjob_is_off_by_default(by_set):
    """Without backup.enabled the chart renders no CronJob, backup Secret or backup volume."""
    for name in ("defaults", "existing_secret", "persistence_no_netpol"):
        docs = by_set[name]
        assert kind(docs, "CronJob") == [], name
        assert not [d for d in docs if d["metadata"]["name"].endswith("-backup")], name
        assert not [d for d in docs if d["metadata"]["name"].endswith("-backups")], name


def test_backup_cronjob_runs_kpi_backup_on_its_volume_with_retention(by_set):
    """Enabled, a CronJob (never two at once) runs `kpi backup --output /backups --keep N` with
    the backup role's URL from its own Secret, the uploads mounted read-only and a kept PVC."""
    docs = by_set["backup"]
    cron = one(docs, "CronJob", "kpi-backup")
    assert cron["spec"]["schedule"] == "15 2 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (c,) = pod["containers"]
    assert c["args"] == ["kpi", "backup", "--output", "/backups", "--keep", "7"]
    owner = env_of(c)["KPI_DATABASE_OWNER_URL"]["valueFrom"]["secretKeyRef"]
    assert owner == {"name": "kpi-backup", "key": "backup-database-url"}
    assert env_of(c)["KPI_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "kpi"
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert mounts["/var/lib/kpi"]["readOnly"] is True and "readOnly" not in mounts["/backups"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["backups"]["persistentVolumeClaim"]["claimName"] == "kpi-backups"
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == "kpi-uploads"
    pvc = one(docs, "PersistentVolumeClaim", "kpi-backups")
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    secret = one(docs, "Secret", "kpi-backup")
    assert secret["stringData"] == {"backup-database-url": BACKUP_URL}
    assert BACKUP_URL not in yaml.safe_dump(one(docs, "Secret", "kpi"))
    # Only the backup pods see that URL; they accept no connections.
    for owner_doc, spec in pod_specs(docs):
        if owner_doc["kind"] == "CronJob":
            continue
        for container in spec["containers"]:
            refs = {
                e["valueFrom"]["secretKeyRef"]["key"]
                for e in container.get("env", [])
                if "secretKeyRef" in e.get("valueFrom", {})
            }
            assert "backup-database-url" not in refs, owner_doc["metadata"]["name"]
    backend = one(docs, "NetworkPolicy", "kpi-backend")
    assert "backup" in backend["spec"]["podSelector"]["matchExpressions"][0]["values"]


def test_backup_uses_an_existing_claim_and_needs_its_url(helm):
    """backup.persistence.existingClaim replaces the chart's PVC; without database.backupUrl
    the render stops naming it."""
    values = _merge(
        VALUE_SETS["backup"], {"backup": {"persistence": {"existingClaim": "nas-backups"}}}
    )
    docs = render(helm, values)
    assert kind(docs, "PersistentVolumeClaim") == [
        one(docs, "PersistentVolumeClaim", "kpi-uploads")
    ]
    pod = one(docs, "CronJob", "kpi-backup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    claims = {v["name"]: v.get("persistentVolumeClaim", {}) for v in pod["volumes"]}
    assert claims["backups"]["claimName"] == "nas-backups"
    with pytest.raises(helm.HelmError, match=r"database\.backupUrl"):
        render_raw(helm, _merge(REQUIRED, {"backup": {"enabled": True}}))
