#!/usr/bin/env bash
# Creates every topic freeze-relay uses, with the Apache Kafka CLI (kafka-topics.sh).
# Safe to run again: --if-not-exists skips topics that exist (their settings are NOT
# changed; use kafka-configs.sh --alter for that, see deploy/RUNBOOK.md).
#
# Usage:
#   deploy/kafka/create-topics.sh [options] [BANK_ID ...]
#
# Options (each also settable by the environment variable in brackets):
#   --bootstrap-server HOST:PORT   [BOOTSTRAP_SERVER]  required
#   --command-config FILE          [COMMAND_CONFIG]    client properties for an authenticated
#                                                      admin (SASL/TLS); optional
#   --banks "id1,id2 ..."          [BANKS]             bank ids (comma or space separated);
#                                                      also accepted as trailing arguments
#   --prefix NAME                  [TOPIC_PREFIX]      default: freeze
#   --partitions N                 [PARTITIONS]        shared topics; default: 6
#   --bank-partitions N            [BANK_PARTITIONS]   per-bank topics; default: 3
#   --replication-factor N         [REPLICATION_FACTOR] default: 3
#   --min-insync-replicas N        [MIN_INSYNC_REPLICAS] default: 2 when RF >= 3, else 1
#   --kafka-bin DIR                [KAFKA_BIN]         where kafka-topics.sh lives; default:
#                                                      on PATH, else /opt/kafka/bin
#   --dry-run                      [DRY_RUN=1]         print the commands, run nothing
#
# Topics (default prefix "freeze"):
#   freeze.requests                  police -> relay (requests and cancels)   14 days
#   freeze.status                    relay -> police                          30 days
#   freeze.escalations               relay -> operators                       30 days
#   freeze.deadletter                relay -> operators                       90 days
#   freeze.bank.<id>.requests        relay -> bank                            14 days
#   freeze.bank.<id>.responses       bank -> relay                            14 days
# Banks whose topics are renamed in the configuration (banks[].topics) are not covered:
# create those by hand with the same settings.
#
# Why cleanup.policy=delete everywhere (no compaction): every topic is a stream of distinct
# events, not a table of latest values. Compaction keeps only the last record per key, and
#   - freeze.requests: a cancel shares its request's key, so compaction would drop the
#     request itself;
#   - bank requests/responses: acknowledged, frozen, released ... share the request id;
#   - freeze.status: keyed by case id, so every status of a case but the last would go;
#   - freeze.escalations: an escalation and its escalation_resolved share a key;
#   - freeze.deadletter: keyed by the original key, which may be absent, and a compacted
#     topic refuses records without a key.
# The ledger, not Kafka, is the system of record; retention only has to outlast the
# longest outage of a consumer (police, bank, operator tooling) with margin.
#
# Partitions: records are keyed (request id, case id), and adding partitions later moves
# keys to other partitions, which breaks per-key ordering for records in flight. Choose
# counts with headroom now. The relay is a single instance, so more partitions do not
# make it faster; they serve the consuming teams' parallelism.
#
# max.message.bytes: freeze.deadletter carries the refused record's exact bytes in base64
# (4/3 of the original) plus metadata, so it needs more than Kafka's 1 MiB default for
# originals near that size; 8 MiB covers the relay's own 4 MiB input limit. The relay's
# producer must be allowed to send that much too: kafka.properties.message.max.bytes in its
# configuration (the compose and Kubernetes configs here set 8388608).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d'; }
die() { echo "create-topics: $*" >&2; exit 2; }

BOOTSTRAP_SERVER="${BOOTSTRAP_SERVER:-}"
COMMAND_CONFIG="${COMMAND_CONFIG:-}"
BANKS="${BANKS:-}"
TOPIC_PREFIX="${TOPIC_PREFIX:-freeze}"
PARTITIONS="${PARTITIONS:-6}"
BANK_PARTITIONS="${BANK_PARTITIONS:-3}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-}"
KAFKA_BIN="${KAFKA_BIN:-}"
DRY_RUN="${DRY_RUN:-0}"

while [ "$#" -gt 0 ]; do
    case "$1" in
        --bootstrap-server) BOOTSTRAP_SERVER="${2:?--bootstrap-server needs a value}"; shift 2 ;;
        --command-config) COMMAND_CONFIG="${2:?--command-config needs a value}"; shift 2 ;;
        --banks) BANKS="${2?--banks needs a value}"; shift 2 ;;
        --prefix) TOPIC_PREFIX="${2:?--prefix needs a value}"; shift 2 ;;
        --partitions) PARTITIONS="${2:?--partitions needs a value}"; shift 2 ;;
        --bank-partitions) BANK_PARTITIONS="${2:?--bank-partitions needs a value}"; shift 2 ;;
        --replication-factor) REPLICATION_FACTOR="${2:?--replication-factor needs a value}"; shift 2 ;;
        --min-insync-replicas) MIN_INSYNC_REPLICAS="${2:?--min-insync-replicas needs a value}"; shift 2 ;;
        --kafka-bin) KAFKA_BIN="${2:?--kafka-bin needs a value}"; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; BANKS="$BANKS $*"; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) BANKS="$BANKS $1"; shift ;;
    esac
done

[ -n "$BOOTSTRAP_SERVER" ] || die "--bootstrap-server (or BOOTSTRAP_SERVER) is required"
for n in "$PARTITIONS" "$BANK_PARTITIONS" "$REPLICATION_FACTOR"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "partitions and replication factor must be positive integers, got '$n'"
done
if [ -z "$MIN_INSYNC_REPLICAS" ]; then
    if [ "$REPLICATION_FACTOR" -ge 3 ]; then MIN_INSYNC_REPLICAS=2; else MIN_INSYNC_REPLICAS=1; fi
fi
if ! [[ "$MIN_INSYNC_REPLICAS" =~ ^[1-9][0-9]*$ ]] || [ "$MIN_INSYNC_REPLICAS" -gt "$REPLICATION_FACTOR" ]; then
    die "min.insync.replicas must be between 1 and the replication factor ($REPLICATION_FACTOR)"
fi
[[ "$TOPIC_PREFIX" =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid topic prefix '$TOPIC_PREFIX'"
if [ -n "$COMMAND_CONFIG" ] && [ "$DRY_RUN" != 1 ] && [ ! -r "$COMMAND_CONFIG" ]; then
    die "command config $COMMAND_CONFIG is not readable"
fi

read -r -a bank_ids <<< "${BANKS//,/ }"
for id in "${bank_ids[@]}"; do
    # The relay's own rule for bank ids (schemas/README.md): they become topic names.
    [[ "$id" =~ ^[a-z0-9][a-z0-9_-]{0,31}$ ]] || die "invalid bank id '$id' (lower-case letters, digits, _ or -, up to 32)"
done

if [ -z "$KAFKA_BIN" ]; then
    if command -v kafka-topics.sh >/dev/null 2>&1; then
        KAFKA_BIN="$(dirname "$(command -v kafka-topics.sh)")"
    else
        KAFKA_BIN=/opt/kafka/bin
    fi
fi
kafka_topics="$KAFKA_BIN/kafka-topics.sh"
if [ "$DRY_RUN" != 1 ] && [ ! -x "$kafka_topics" ]; then
    die "$kafka_topics not found; set --kafka-bin or KAFKA_BIN"
fi

DAY_MS=86400000
connection=(--bootstrap-server "$BOOTSTRAP_SERVER")
if [ -n "$COMMAND_CONFIG" ]; then connection+=(--command-config "$COMMAND_CONFIG"); fi

# create TOPIC PARTITIONS RETENTION_DAYS [extra --config key=value ...]
create() {
    local topic="$1" partitions="$2" days="$3"
    shift 3
    local command=("$kafka_topics" "${connection[@]}" --create --if-not-exists
        --topic "$topic" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR"
        --config cleanup.policy=delete
        --config "retention.ms=$((days * DAY_MS))"
        --config "min.insync.replicas=$MIN_INSYNC_REPLICAS")
    local extra
    for extra in "$@"; do command+=(--config "$extra"); done
    if [ "$DRY_RUN" = 1 ]; then
        printf '%q ' "${command[@]}"
        printf '\n'
    else
        echo "create-topics: $topic" >&2
        "${command[@]}"
    fi
}

create "$TOPIC_PREFIX.requests" "$PARTITIONS" 14
create "$TOPIC_PREFIX.status" "$PARTITIONS" 30
create "$TOPIC_PREFIX.escalations" "$PARTITIONS" 30
create "$TOPIC_PREFIX.deadletter" "$PARTITIONS" 90 max.message.bytes=8388608
for id in "${bank_ids[@]}"; do
    create "$TOPIC_PREFIX.bank.$id.requests" "$BANK_PARTITIONS" 14
    create "$TOPIC_PREFIX.bank.$id.responses" "$BANK_PARTITIONS" 14
done
if [ "${#bank_ids[@]}" -eq 0 ]; then
    echo "create-topics: no bank ids given: only the shared topics were handled" >&2
fi
