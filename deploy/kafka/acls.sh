#!/usr/bin/env bash
# Grants the Kafka ACLs freeze-relay's parties need, and nothing more, with the Apache Kafka
# CLI (kafka-acls.sh). Adding an ACL that exists is a no-op, so it is safe to run again.
#
# Usage:
#   deploy/kafka/acls.sh [options] [BANK_ID ...]
#
# Options (each also settable by the environment variable in brackets):
#   --bootstrap-server HOST:PORT   [BOOTSTRAP_SERVER]   required
#   --command-config FILE          [COMMAND_CONFIG]     client properties of an admin principal
#                                                       (one listed in the brokers' super.users)
#   --banks "id1,id2 ..."          [BANKS]              bank ids; also accepted as trailing arguments
#   --only-banks                   [ONLY_BANKS=1]       handle only the listed banks' ACLs (for
#                                                       adding or removing one bank)
#   --remove                       [ACTION=remove]      remove the ACLs instead of adding them
#   --prefix NAME                  [TOPIC_PREFIX]       default: freeze
#   --relay-principal P            [RELAY_PRINCIPAL]    default: User:freeze-relay
#   --relay-group NAME             [RELAY_GROUP]        default: freeze-relay (kafka.group_id)
#   --police-principals "P ..."    [POLICE_PRINCIPALS]  default: User:police
#   --police-group-prefix NAME     [POLICE_GROUP_PREFIX] default: police
#   --operator-principals "P ..."  [OPERATOR_PRINCIPALS] default: User:operators
#   --operator-group-prefix NAME   [OPERATOR_GROUP_PREFIX] default: operators
#   --kafka-bin DIR                [KAFKA_BIN]          where kafka-acls.sh lives; default: on
#                                                       PATH, else /opt/kafka/bin
#   --dry-run                      [DRY_RUN=1]          print the commands, run nothing
#
# Who may do what (default prefix "freeze"):
#   relay      read   freeze.requests; every topic starting "freeze.bank." (prefixed: it reads
#                     the responses topic of each bank in its routing table, by name, so
#                     banks added later need no new ACL)
#              write  freeze.status, freeze.escalations, freeze.deadletter; every topic
#                     starting "freeze.bank." (the bank requests topics, including banks added
#                     later without running this script again)
#              group  freeze-relay (literal)
#              and, for `freeze-relay watch` run with the relay's own configuration (e.g.
#              kubectl exec into the pod): read freeze.escalations, groups starting
#              "freeze-relay-watch-" (each watch joins a group freeze-relay-watch-<random>)
#   police     write  freeze.requests; read freeze.status; groups starting "police"
#   operators  read   freeze.escalations, freeze.status, freeze.deadletter; groups starting
#                     "operators" and "freeze-relay-watch-"
#   bank <id>  as User:bank-<id>: read freeze.bank.<id>.requests, write
#              freeze.bank.<id>.responses, nothing else; groups "bank-<id>" (literal) and
#              "bank-<id>.<anything>" (prefixed)
#   everyone who produces: IdempotentWrite on the cluster (idempotent producers need it on
#              brokers before Kafka 3.0; harmless after)
#
# Why the bank group prefix ends in a dot: a prefixed ACL on "bank-kaspi" would also match
# the groups of a bank with the id "kaspi2" or "kaspi-x" (bank ids may contain "-" and "_",
# never "."). A bank names its consumer group "bank-<id>" or "bank-<id>.<anything>".
#
# The trade-off of the relay's prefixed "freeze.bank." ACLs: the relay may also read the bank
# requests topics and write the bank responses topics. The relay is the trusted party that
# writes the former anyway; literal per-bank ACLs would need this script at every bank change.
#
# ACLs only take effect on brokers with an authorizer (KRaft:
# authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer) and
# allow.everyone.if.no.acl.found=false (the default). The admin principal running this script
# must be a super user or hold Alter on the cluster.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d'; }
die() { echo "acls: $*" >&2; exit 2; }

BOOTSTRAP_SERVER="${BOOTSTRAP_SERVER:-}"
COMMAND_CONFIG="${COMMAND_CONFIG:-}"
BANKS="${BANKS:-}"
ONLY_BANKS="${ONLY_BANKS:-0}"
ACTION="${ACTION:-add}"
TOPIC_PREFIX="${TOPIC_PREFIX:-freeze}"
RELAY_PRINCIPAL="${RELAY_PRINCIPAL:-User:freeze-relay}"
RELAY_GROUP="${RELAY_GROUP:-freeze-relay}"
POLICE_PRINCIPALS="${POLICE_PRINCIPALS:-User:police}"
POLICE_GROUP_PREFIX="${POLICE_GROUP_PREFIX:-police}"
OPERATOR_PRINCIPALS="${OPERATOR_PRINCIPALS:-User:operators}"
OPERATOR_GROUP_PREFIX="${OPERATOR_GROUP_PREFIX:-operators}"
KAFKA_BIN="${KAFKA_BIN:-}"
DRY_RUN="${DRY_RUN:-0}"
# The group prefix of `freeze-relay watch` (fixed in the relay).
WATCH_GROUP_PREFIX=freeze-relay-watch-

while [ "$#" -gt 0 ]; do
    case "$1" in
        --bootstrap-server) BOOTSTRAP_SERVER="${2:?--bootstrap-server needs a value}"; shift 2 ;;
        --command-config) COMMAND_CONFIG="${2:?--command-config needs a value}"; shift 2 ;;
        --banks) BANKS="${2?--banks needs a value}"; shift 2 ;;
        --only-banks) ONLY_BANKS=1; shift ;;
        --remove) ACTION=remove; shift ;;
        --prefix) TOPIC_PREFIX="${2:?--prefix needs a value}"; shift 2 ;;
        --relay-principal) RELAY_PRINCIPAL="${2:?--relay-principal needs a value}"; shift 2 ;;
        --relay-group) RELAY_GROUP="${2:?--relay-group needs a value}"; shift 2 ;;
        --police-principals) POLICE_PRINCIPALS="${2?--police-principals needs a value}"; shift 2 ;;
        --police-group-prefix) POLICE_GROUP_PREFIX="${2:?--police-group-prefix needs a value}"; shift 2 ;;
        --operator-principals) OPERATOR_PRINCIPALS="${2?--operator-principals needs a value}"; shift 2 ;;
        --operator-group-prefix) OPERATOR_GROUP_PREFIX="${2:?--operator-group-prefix needs a value}"; shift 2 ;;
        --kafka-bin) KAFKA_BIN="${2:?--kafka-bin needs a value}"; shift 2 ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; BANKS="$BANKS $*"; break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) BANKS="$BANKS $1"; shift ;;
    esac
done

[ -n "$BOOTSTRAP_SERVER" ] || die "--bootstrap-server (or BOOTSTRAP_SERVER) is required"
case "$ACTION" in add|remove) ;; *) die "ACTION must be add or remove, got '$ACTION'" ;; esac
[[ "$TOPIC_PREFIX" =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid topic prefix '$TOPIC_PREFIX'"
if [ -n "$COMMAND_CONFIG" ] && [ "$DRY_RUN" != 1 ] && [ ! -r "$COMMAND_CONFIG" ]; then
    die "command config $COMMAND_CONFIG is not readable"
fi

read -r -a bank_ids <<< "${BANKS//,/ }"
read -r -a police <<< "${POLICE_PRINCIPALS//,/ }"
read -r -a operators <<< "${OPERATOR_PRINCIPALS//,/ }"
for id in "${bank_ids[@]}"; do
    [[ "$id" =~ ^[a-z0-9][a-z0-9_-]{0,31}$ ]] || die "invalid bank id '$id' (lower-case letters, digits, _ or -, up to 32)"
done
for principal in "$RELAY_PRINCIPAL" "${police[@]}" "${operators[@]}"; do
    [[ "$principal" =~ ^[A-Za-z]+:.+$ ]] || die "principal '$principal' must look like User:NAME"
done
if [ "$ONLY_BANKS" = 1 ] && [ "${#bank_ids[@]}" -eq 0 ]; then
    die "--only-banks needs at least one bank id"
fi

if [ -z "$KAFKA_BIN" ]; then
    if command -v kafka-acls.sh >/dev/null 2>&1; then
        KAFKA_BIN="$(dirname "$(command -v kafka-acls.sh)")"
    else
        KAFKA_BIN=/opt/kafka/bin
    fi
fi
kafka_acls="$KAFKA_BIN/kafka-acls.sh"
if [ "$DRY_RUN" != 1 ] && [ ! -x "$kafka_acls" ]; then
    die "$kafka_acls not found; set --kafka-bin or KAFKA_BIN"
fi

connection=(--bootstrap-server "$BOOTSTRAP_SERVER")
if [ -n "$COMMAND_CONFIG" ]; then connection+=(--command-config "$COMMAND_CONFIG"); fi
if [ "$ACTION" = add ]; then verb=(--add); else verb=(--remove --force); fi

# acl PRINCIPAL RESOURCE... OPERATION...: one kafka-acls.sh call; arguments are passed
# through (--topic NAME, --group NAME, --cluster, --resource-pattern-type, --operation OP).
acl() {
    local principal="$1"
    shift
    local command=("$kafka_acls" "${connection[@]}" "${verb[@]}" --allow-principal "$principal" "$@")
    if [ "$DRY_RUN" = 1 ]; then
        printf '%q ' "${command[@]}"
        printf '\n'
    else
        "${command[@]}"
    fi
}

t="$TOPIC_PREFIX"

if [ "$ONLY_BANKS" != 1 ]; then
    # The relay.
    acl "$RELAY_PRINCIPAL" --operation Read --operation Describe --topic "$t.requests"
    acl "$RELAY_PRINCIPAL" --operation Read --operation Write --operation Describe \
        --topic "$t.bank." --resource-pattern-type prefixed
    for topic in "$t.status" "$t.escalations" "$t.deadletter"; do
        acl "$RELAY_PRINCIPAL" --operation Write --operation Describe --topic "$topic"
    done
    acl "$RELAY_PRINCIPAL" --operation Read --group "$RELAY_GROUP"
    acl "$RELAY_PRINCIPAL" --operation IdempotentWrite --cluster
    # freeze-relay watch with the relay's credentials.
    acl "$RELAY_PRINCIPAL" --operation Read --topic "$t.escalations"
    acl "$RELAY_PRINCIPAL" --operation Read --group "$WATCH_GROUP_PREFIX" --resource-pattern-type prefixed

    # Police systems.
    for principal in "${police[@]}"; do
        acl "$principal" --operation Write --operation Describe --topic "$t.requests"
        acl "$principal" --operation Read --operation Describe --topic "$t.status"
        acl "$principal" --operation Read --group "$POLICE_GROUP_PREFIX" --resource-pattern-type prefixed
        acl "$principal" --operation IdempotentWrite --cluster
    done

    # Operators (dashboards, on-call tooling).
    for principal in "${operators[@]}"; do
        for topic in "$t.escalations" "$t.status" "$t.deadletter"; do
            acl "$principal" --operation Read --operation Describe --topic "$topic"
        done
        acl "$principal" --operation Read --group "$OPERATOR_GROUP_PREFIX" --resource-pattern-type prefixed
        acl "$principal" --operation Read --group "$WATCH_GROUP_PREFIX" --resource-pattern-type prefixed
    done
fi

# Banks: each only its own two topics and its own groups.
for id in "${bank_ids[@]}"; do
    principal="User:bank-$id"
    acl "$principal" --operation Read --operation Describe --topic "$t.bank.$id.requests"
    acl "$principal" --operation Write --operation Describe --topic "$t.bank.$id.responses"
    acl "$principal" --operation Read --group "bank-$id"
    acl "$principal" --operation Read --group "bank-$id." --resource-pattern-type prefixed
    acl "$principal" --operation IdempotentWrite --cluster
done

if [ "${#bank_ids[@]}" -eq 0 ]; then
    echo "acls: no bank ids given: no bank ACLs were handled" >&2
fi
