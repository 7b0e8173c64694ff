#!/usr/bin/python3
"""Offline checks of deploy/k8s, for machines without a Kubernetes API server (so no `kubectl apply
--dry-run`, which needs one for its schema and REST mapping).

    kubectl kustomize deploy/k8s | /usr/bin/python3 deploy/tools/check_manifests.py -

Needs Debian's python3-kubernetes (its API models give every object's field names and types) and
python3-yaml. Checks, per object:
- schema: every field is one the API knows (a typo such as `readinesProbe` is an error, where the API
  server would drop or refuse it), strings are strings (an unquoted `SPINE_STREAM_REPLICAS: 3` in a
  ConfigMap is refused by the API server), lists are lists, required fields are there;
- wiring: selectors match the pod template's labels; probes and Services name container ports that
  exist; volumeMounts name volumes; ConfigMaps and Secrets referenced exist among the objects;
- the spine's own: every SPINE_* key is one a spine module reads, the routes ConfigMap equals the bundled
  routes.yaml, terminationGracePeriodSeconds > SPINE_SHUTDOWN_TIMEOUT, probes on /health/live and
  /health/ready.
Prints one line per problem and exits 1 if there is any; 0 and a summary otherwise.
"""
import os
import re
import sys

import kubernetes
import kubernetes.client as k8s
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Where the settings are read: every module's main sources (ServiceConfig and its parts, the server's
# ServerConfig and HttpSettings, the gateway's GatewayConfig, the NATS and event-bus readers).
SETTINGS_SOURCES = [os.path.join(d, f) for module in sorted(os.listdir(ROOT)) if module.startswith("spine-")
                    for d, _, files in os.walk(os.path.join(ROOT, module, "src", "main", "java"))
                    for f in files if f.endswith(".java")]
ROUTES = os.path.join(ROOT, "spine-job-service/src/main/resources/dev/spine/service/routes.yaml")
QUANTITY_MAPS = {"limits", "requests", "hard", "capacity", "allocatable"}  # numbers allowed there

problems = []


def problem(where, what):
    problems.append("%s: %s" % (where, what))


def model(api_version, kind):
    version = api_version.split("/")[-1]
    return getattr(k8s, version[0].upper() + version[1:] + kind, None)


def walk(value, typ, path):
    """Checks value against a python-client type string: a model name, list[...], dict(str, ...), str..."""
    if value is None:
        return
    if typ.startswith("list["):
        if not isinstance(value, list):
            return problem(path, "a list expected, got %r" % (value,))
        for i, v in enumerate(value):
            walk(v, typ[5:-1], "%s[%d]" % (path, i))
    elif typ.startswith("dict("):
        if not isinstance(value, dict):
            return problem(path, "a map expected, got %r" % (value,))
        inner = typ[typ.index(",") + 1:-1].strip()
        for key, v in value.items():
            if inner == "str" and path.rsplit(".", 1)[-1] in QUANTITY_MAPS and isinstance(v, (int, float)):
                continue
            walk(v, inner, "%s.%s" % (path, key))
    elif typ == "str":
        if not isinstance(value, str):
            problem(path, "a string expected, got %r (quote it)" % (value,))
    elif typ == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            problem(path, "an integer expected, got %r" % (value,))
    elif typ == "bool":
        if not isinstance(value, bool):
            problem(path, "true or false expected, got %r" % (value,))
    elif typ in ("object", "datetime", "date", "float"):
        pass  # IntOrString, Quantity and times: the API server's own parsing decides
    else:
        cls = getattr(k8s, typ, None)
        if cls is None:
            return problem(path, "unknown type %s" % typ)
        if not isinstance(value, dict):
            return problem(path, "an object (%s) expected, got %r" % (typ, value))
        fields = {json: attr for attr, json in cls.attribute_map.items()}
        for key, v in value.items():
            if key not in fields:
                problem(path, "unknown field %r in %s" % (key, typ))
            else:
                walk(v, cls.openapi_types[fields[key]], "%s.%s" % (path, key))


def required(doc, cls, where):
    """The python models refuse a missing required field (client-side validation) when built."""
    try:
        k8s.ApiClient()._ApiClient__deserialize(doc, cls.__name__)
    except (ValueError, TypeError) as e:
        problem(where, "not a valid %s: %s" % (cls.__name__, e))


def pod_checks(obj, where, names):
    spec = obj["spec"]
    template = spec.get("template", {})
    labels = (template.get("metadata") or {}).get("labels") or {}
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        problem(where, "selector %s does not match the pod labels %s" % (selector, labels))
    pod = template.get("spec", {})
    volumes = {v.get("name") for v in pod.get("volumes") or []}
    for v in pod.get("volumes") or []:
        ref = (v.get("configMap") or {}).get("name")
        if ref and ("ConfigMap", ref) not in names:
            problem(where, "volume %s: no ConfigMap %s" % (v.get("name"), ref))
    for c in pod.get("containers") or []:
        cw = "%s container %s" % (where, c.get("name"))
        for p in c.get("ports") or []:
            if "name" in p and not (re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", p["name"]) and len(p["name"]) <= 15
                                    and re.search("[a-z]", p["name"])):
                problem(cw, "port name %r is not an IANA service name (a-z, 0-9, '-', at most 15)" % p["name"])
        ports = {p.get("name") for p in c.get("ports") or []} | {p.get("containerPort") for p in c.get("ports") or []}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = (c.get(probe) or {}).get("httpGet")
            if get is None:
                problem(cw, "no %s with httpGet" % probe)
            elif get.get("port") not in ports:
                problem(cw, "%s port %r is not a container port" % (probe, get.get("port")))
        paths = {p: ((c.get(p) or {}).get("httpGet") or {}).get("path") for p in ("livenessProbe", "readinessProbe")}
        if paths != {"livenessProbe": "/health/live", "readinessProbe": "/health/ready"}:
            problem(cw, "probes should be liveness /health/live and readiness /health/ready, are %s" % paths)
        for m in c.get("volumeMounts") or []:
            if m.get("name") not in volumes:
                problem(cw, "volumeMount %s names no volume" % m.get("name"))
        for src in c.get("envFrom") or []:
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                ref = (src.get(key) or {}).get("name")
                if ref and (kind, ref) not in names:
                    problem(cw, "envFrom: no %s %s among the manifests" % (kind, ref))
    return pod


def duration_seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    if not m:
        return None
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    text = sys.stdin.read() if argv[1] == "-" else open(argv[1], encoding="utf-8").read()
    docs = [d for d in yaml.safe_load_all(text) if d]
    names = {(d.get("kind"), (d.get("metadata") or {}).get("name")) for d in docs}
    known_keys = set()
    for source in SETTINGS_SOURCES:
        text = open(source, encoding="utf-8").read()
        known_keys |= set(re.findall(r'"(SPINE_[A-Z_]+)"', text))
        if source.endswith(os.sep + "JobTier.java"):  # SPINE_WORKERS_<TIER> is built from the tiers' names
            known_keys |= {"SPINE_WORKERS_" + t for t in re.findall(r"^\s+([A-Z]+)\(", text, re.M)}
    config = {}
    grace = None
    for d in docs:
        where = "%s/%s" % (d.get("kind"), (d.get("metadata") or {}).get("name"))
        cls = model(d.get("apiVersion", ""), d.get("kind", ""))
        if cls is None:
            problem(where, "no API model for apiVersion %s kind %s" % (d.get("apiVersion"), d.get("kind")))
            continue
        walk(d, cls.__name__, where)
        required(d, cls, where)
        name = d["metadata"].get("name", "")
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name) or len(name) > 253:
            problem(where, "name %r is not a DNS-1123 subdomain" % name)
        if d["kind"] == "Deployment":
            pod = pod_checks(d, where, names)
            grace = pod.get("terminationGracePeriodSeconds")
        if d["kind"] in ("ConfigMap", "Secret"):
            data = d.get("data") or d.get("stringData") or {}
            for key in data:
                if key.startswith("SPINE_") and key not in known_keys:
                    problem(where, "%s is not a setting any spine module reads" % key)
            config.update({k: v for k, v in data.items() if k.startswith("SPINE_")})
            if "routes.yaml" in data and data["routes.yaml"] != open(ROUTES, encoding="utf-8").read():
                problem(where, "routes.yaml differs from the bundled %s" % os.path.relpath(ROUTES, ROOT))
        if d["kind"] in ("Service", "PodDisruptionBudget") and d.get("spec", {}).get("type") != "ExternalName":
            selector = d["spec"].get("selector") or {}
            selector = selector.get("matchLabels", selector)
            pods = [p for p in docs if p.get("kind") == "Deployment"
                    and all(p["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]
            if not selector or not pods:
                problem(where, "selector %s selects no pod of the manifests" % selector)
            for port in d["spec"].get("ports") or []:
                target = port.get("targetPort", port.get("port"))
                if pods and not any(target in ({p.get("name") for p in c.get("ports") or []}
                                               | {p.get("containerPort") for p in c.get("ports") or []})
                                    for c in pods[0]["spec"]["template"]["spec"]["containers"]):
                    problem(where, "targetPort %r is no container port" % target)
    timeout = duration_seconds(config.get("SPINE_SHUTDOWN_TIMEOUT", "30s"))
    if grace is not None and timeout is not None and grace <= timeout:
        problem("Deployment", "terminationGracePeriodSeconds %s <= SPINE_SHUTDOWN_TIMEOUT %ss" % (grace, timeout))
    for p in problems:
        print("PROBLEM " + p)
    if problems:
        return 1
    print("OK: %d objects (%s); field names and types from python3-kubernetes %s" % (
        len(docs), ", ".join(sorted("%s/%s" % n for n in names)), kubernetes.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
