#!/bin/bash
# SIP load figures for Docs/Performance.md: sip-echo (release build) against sipp on loopback,
# inside a private network namespace when `ip netns` is available (so no reply can leave the box).
#
#   Benchmarks/sip/run.sh cps RATE [SECONDS]        # INVITE-200-ACK-BYE-200 at RATE calls/s
#   Benchmarks/sip/run.sh register RATE [SECONDS]   # REGISTER with MD5 digest at RATE/s
#   Benchmarks/sip/run.sh memory CALLS              # RSS per established dialog (calls held 60 s)
#
# Prints sipp's totals and the CPU seconds sip-echo used. Run from the package root after
# `swift build -c release --product sip-echo`.
set -eu
cd "$(dirname "$0")/../.."
MODE=$1; RATE=$2; SECS=${3:-60}
BIN=$(swift build -c release --show-bin-path)/sip-echo
NS=hotline-sip-bench-$$
RUN=""
if ip netns add "$NS" 2>/dev/null; then
  ip netns exec "$NS" ip link set lo up
  RUN="ip netns exec $NS"
  trap 'kill $ECHO 2>/dev/null; ip netns del $NS' EXIT
else
  trap 'kill $ECHO 2>/dev/null' EXIT
fi
USERS=$(mktemp); echo "1001:s3cret" > "$USERS"
$RUN "$BIN" --host 127.0.0.1 --port 5060 --users "$USERS" --algorithms md5 --log-level warning > /tmp/sip-bench-echo.log 2>&1 &
ECHO=$!
sleep 1
cpu() { awk '{print $14 + $15}' /proc/$ECHO/stat; }
rss() { awk '/VmRSS/ {print $2}' /proc/$ECHO/status; }
TICK=$(getconf CLK_TCK)
BEFORE=$(cpu); RSS0=$(rss); START=$(date +%s.%N)
case $MODE in
  cps)
    $RUN sipp -sn uac 127.0.0.1:5060 -i 127.0.0.1 -p 5061 -r "$RATE" -m $((RATE * SECS)) -l $((RATE * 4)) \
      -buff_size 4194304 -nostdin -trace_stat -stf /tmp/sip-bench-stat.csv -timeout $((SECS + 60))s > /tmp/sip-bench-sipp.log 2>&1 || true ;;
  register)
    $RUN sipp -sf Benchmarks/sip/register_bench.xml 127.0.0.1:5060 -s 1001 -au 1001 -ap s3cret -i 127.0.0.1 -p 5061 \
      -r "$RATE" -m $((RATE * SECS)) -l $((RATE * 4)) -buff_size 4194304 -nostdin -timeout $((SECS + 60))s > /tmp/sip-bench-sipp.log 2>&1 || true ;;
  memory)
    $RUN sipp -sn uac 127.0.0.1:5060 -i 127.0.0.1 -p 5061 -r 500 -m "$RATE" -l "$RATE" -d 60000 \
      -buff_size 4194304 -nostdin -timeout 120s > /tmp/sip-bench-sipp.log 2>&1 &
    SIPP=$!
    sleep $((RATE / 500 + 8))
    RSS1=$(rss)
    echo "rss before ${RSS0} KiB, with ${RATE} dialogs ${RSS1} KiB: $(( (RSS1 - RSS0) * 1024 / RATE )) bytes per dialog"
    kill $SIPP 2>/dev/null || true
    exit 0 ;;
esac
END=$(date +%s.%N); AFTER=$(cpu)
grep -E "Successful call|Failed call|Total Call created" /tmp/sip-bench-sipp.log | tail -3
awk -v b="$BEFORE" -v a="$AFTER" -v t="$TICK" -v s="$START" -v e="$END" -v r="$RATE" -v secs="$SECS" \
  'BEGIN { c=(a-b)/t; w=e-s; printf "wall %.1f s, sip-echo CPU %.2f s (%.0f%% of one core), %.0f us CPU per call\n", w, c, 100*c/w, 1e6*c/(r*secs) }'
