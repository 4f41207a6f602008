#!/bin/sh
# Fills a demo coalition with a season of shared work by three member organizations, each on its
# own node, so that its progress report (coalesce report) has something to say: goals measured
# over months, an issue inventory with tags and evidence, a pool with gifts and an allocation,
# decisions passed, blocked and failed, meetings, and an amendment to the charter.
#
# Usage: deploy/demo/fill.sh COALITION NORTH_HOME EAST_HOME FAITH_HOME
# where each home is a running node's (the README's "Several organizations, several nodes"
# makes them) and COALITION the coalition the three share. COALESCE names the command line
# (default: coalesce on the PATH).
set -eu

c=$1
north="${COALESCE:-coalesce} --home $2"
east="${COALESCE:-coalesce} --home $3"
faith="${COALESCE:-coalesce} --home $4"

# until_seen NODE ARGS...: waits (up to 30 s) until `NODE ARGS` succeeds: a record written on
# another node has arrived on this one. With `sh -c SCRIPT` as ARGS, SCRIPT is run instead.
until_seen() {
    cmd=$1
    shift
    if [ "$1" = sh ]; then cmd=""; fi
    tries=0
    until $cmd "$@" >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -gt 300 ]; then
            echo "fill: nothing arrived for: $*" >&2
            exit 1
        fi
        sleep 0.1
    done
}

fares=$($north charter goal add --coalition "$c" "Fare-free buses" --target 100 --unit percent)
$north charter goal progress --coalition "$c" "$fares" --value 10 --date 2026-01-20 --note "City budget line"
$north charter goal progress --coalition "$c" "$fares" --value 25 --date 2026-03-15 --note "Two routes free"
$north charter goal progress --coalition "$c" "$fares" --value 40 --date 2026-06-10 --note "Four routes free"
shelters=$($north charter goal add --coalition "$c" "New bus shelters" --target 50 --unit shelters)
$north charter goal progress --coalition "$c" "$shelters" --value 12 --date 2026-02-01 --note "Counted by members"
$north charter goal progress --coalition "$c" "$shelters" --value 30 --date 2026-05-01 --note "Counted by members"

fare_issue=$($east issue add --coalition "$c" "Fares too high for low-wage workers" --tag "low income" --tag labor)
$east issue evidence --coalition "$c" "$fare_issue" --source "Rider survey" \
    --figure "62% of riders earn under \$30,000" --disaggregation "by race and income"
ramps=$($east issue add --coalition "$c" "Broken ramps on Route 9" --tag disability)
$east issue evidence --coalition "$c" "$ramps" --source "City audit" --figure "41 of 120 ramps broken"
signs=$($faith issue add --coalition "$c" "Signs only in English" --tag immigrants)
$north issue add --coalition "$c" "Night buses stop too early" --tag labor >/dev/null
$east issue share --coalition "$c" "$fare_issue" --rank 1
$east issue share --coalition "$c" "$ramps" --rank 2
until_seen "$north" issue show --coalition "$c" "$fare_issue"
until_seen "$faith" issue show --coalition "$c" "$ramps"
$north issue share --coalition "$c" "$fare_issue" --rank 2
$faith issue share --coalition "$c" "$ramps" --rank 1
$faith issue share --coalition "$c" "$signs" --rank 1

fund=$($north pool create --coalition "$c" "Campaign fund" --kind funds --unit USD)
$north pool contribute --coalition "$c" "$fund" 1500 --note "Spring dinner"
until_seen "$east" pool ledger --coalition "$c" "$fund"
until_seen "$faith" pool ledger --coalition "$c" "$fund"
$east pool contribute --coalition "$c" "$fund" 800
$faith pool pledge --coalition "$c" "$fund" 500
flyers=$($faith pool request --coalition "$c" "$fund" 600 --reason "Spanish flyers for Route 9")
until_seen "$north" proposal show --coalition "$c" "$flyers"
$north proposal vote --coalition "$c" "$flyers" agree
$faith proposal vote --coalition "$c" "$flyers" agree

rally=$($north proposal new --coalition "$c" --kind general "Join the May Day rally")
until_seen "$east" proposal show --coalition "$c" "$rally"
until_seen "$faith" proposal show --coalition "$c" "$rally"
$north proposal vote --coalition "$c" "$rally" agree
$east proposal vote --coalition "$c" "$rally" agree    # two of three: passed by majority

consent=$($east charter amend --coalition "$c" --add-value "access for all" --rule public-statement=consent \
    --text "Statements speak for every member: none goes out over a member's block.")
until_seen "$north" proposal show --coalition "$c" "$consent"
until_seen "$faith" proposal show --coalition "$c" "$consent"
$north proposal vote --coalition "$c" "$consent" agree
$east proposal vote --coalition "$c" "$consent" agree
$faith proposal vote --coalition "$c" "$consent" agree

# Opened once the amendment is in force on the node that opens it: its rule is fixed then.
until_seen "$north" sh -c "$north charter show --coalition $c --json | grep -q '\"version\": 2'"
mayor=$($north proposal new --coalition "$c" --kind public-statement "Back the mayor's transit plan")
until_seen "$faith" proposal show --coalition "$c" "$mayor"
$north proposal vote --coalition "$c" "$mayor" agree
$faith proposal vote --coalition "$c" "$mayor" block --reason "We do not back candidates."

# The organizations' names, as each node's status says them.
org() {
    $1 status --json | sed -n 's/^ *"org": *"\(.*\)",$/\1/p' | head -n 1
}
n=$(org "$north")
e=$(org "$east")
f=$(org "$faith")
$north meeting add --coalition "$c" --date 2026-02-10 --facilitator "$n" --attend "$n" --attend "$e" \
    --attend "$f" --agenda "Check-in" --agenda "Fare campaign" --minutes "Each group shared news." >/dev/null
$east meeting add --coalition "$c" --date 2026-04-12 --facilitator "$e" --attend "$n" --attend "$e" \
    --agenda "Check-in" --agenda "May Day" --minutes "We planned the rally." >/dev/null
echo "fill: the coalition holds a season of work; try: coalesce report --coalition $c" >&2
