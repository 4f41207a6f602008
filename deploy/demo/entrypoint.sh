#!/bin/sh
# One node of the demo network in deploy/compose.yaml (also runnable by hand, as the tests do).
#
# Starts coalesce-node with the arguments given and, on this home's first start, links the node
# into the demo coalition through a folder shared by the demo's nodes:
#   - the founder (DEMO_INVITE set to the other members' names) creates the coalition and
#     leaves one invite code per member in DEMO_SHARED/invite-NAME;
#   - every other node (DEMO_NAME set) waits for its code and joins with it.
# Later starts only start the node. SIGTERM and SIGINT stop the node cleanly; SIGHUP reaches
# the node (it reloads the API's certificate).
#
# Environment: COALESCE_HOME (the node's home), DEMO_SHARED (the shared folder),
# DEMO_NAME (this node's name in the demo), DEMO_INVITE (founder only: names to invite),
# DEMO_COALITION (founder only: the coalition's name).
set -eu

: "${COALESCE_HOME:?set COALESCE_HOME to the node home}"
: "${DEMO_SHARED:?set DEMO_SHARED to the folder the demo nodes share}"
: "${DEMO_NAME:?set DEMO_NAME to this node name in the demo}"
linked="$COALESCE_HOME/demo-linked"

coalesce-node "$@" &
node=$!
trap 'kill -TERM "$node" 2>/dev/null || true' TERM INT
trap 'kill -HUP "$node" 2>/dev/null || true' HUP

# wait_until SECONDS WHAT COMMAND...: runs COMMAND (quietly) every 0.1 s until it succeeds;
# gives up, stopping the node, after SECONDS or if the node exits.
wait_until() {
    limit=$(($1 * 10))
    what=$2
    shift 2
    tries=0
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$node" 2>/dev/null; then
            echo "demo: the node stopped while waiting for $what" >&2
            wait "$node" || exit $?
            exit 1
        fi
        tries=$((tries + 1))
        if [ "$tries" -gt "$limit" ]; then
            echo "demo: no $what within $1 seconds" >&2
            kill -TERM "$node"
            exit 1
        fi
        sleep 0.1
    done
}

# The node answers once its store is open and its API listens.
wait_until 60 "answer from the node" coalesce-node --health-check

if [ ! -e "$linked" ]; then
    if [ -n "${DEMO_INVITE:-}" ]; then
        id=$(coalesce coalition create "${DEMO_COALITION:-Riverside Transit Coalition}")
        for member in $DEMO_INVITE; do
            coalesce invite create --coalition "$id" --expires 1d >"$DEMO_SHARED/.invite-$member"
            mv "$DEMO_SHARED/.invite-$member" "$DEMO_SHARED/invite-$member"
        done
        echo "demo: founded coalition $id and invited: $DEMO_INVITE" >&2
    else
        code_file="$DEMO_SHARED/invite-$DEMO_NAME"
        wait_until 300 "invite at $code_file" test -s "$code_file"
        id=$(coalesce join "$(cat "$code_file")" --wait 120)
        echo "demo: joined coalition $id" >&2
    fi
    : >"$linked"
fi

# Wait for the node until it exits; a trapped signal interrupts a wait, so wait again.
status=0
while kill -0 "$node" 2>/dev/null; do
    status=0
    wait "$node" || status=$?
done
exit "$status"
