#!/bin/bash
# Reference-server figures for Docs/Performance.md: `hotline serve` (release build) against sipp's
# built-in `uac` scenario on loopback, both inside a private network namespace when `ip netns` is
# available (so no reply can leave the box). sipp offers PCMU; the server answers, plays the flow's
# prompt as RTP to sipp's media port for the hold time, and sipp hangs up.
#
#   Benchmarks/server/run.sh ivr RATE [SECONDS]         # into 12366, each call held 3 s (-d 3000), RATE calls/s
#   Benchmarks/server/run.sh signalling RATE [SECONDS]  # into 12366, answered and hung up at once (-d 0)
#   Benchmarks/server/run.sh hold CALLS [SECONDS]       # CALLS concurrent calls into a prompt loop (DID 9999,
#                                                       # Benchmarks/server/hold.yaml), held SECONDS (default 60)
#   Benchmarks/server/run.sh bridged CALLS [SECONDS]    # CALLS concurrent callers bridged to agents and recorded:
#                                                       # CALLS+10 agents (1001…) REGISTER with digest auth
#                                                       # (agent-register.xml) to one sipp UAS that answers every
#                                                       # agent INVITE and echoes its RTP (-rtp_echo); callers
#                                                       # (bridged-caller.xml) dial DID 8888 (bridged.yaml: straight
#                                                       # to the queue) and send a tone as RTP; held SECONDS (default 60)
#                                                       # Every call is recorded into DATA/recordings (32 kB/s per
#                                                       # call: ~0.8 GB for `bridged 400 60`); delete them after.
#
# Prints sipp's totals, the server's CPU seconds (from /proc/PID/stat) and per call, the peak of
# concurrent calls, and, from the server's /metrics, RTP packets sent and how many left more than
# 10 ms after their 20 ms tick was due (for `hold`: measured over the steady state, all calls up).
# Run from the package root after `swift build -c release --product hotline`.
# HOTLINE_BENCH_BIN overrides the hotline executable (default: the release build);
# HOTLINE_BENCH_DATA (default /tmp/hotline-bench-server) is the data directory, created on first use;
# HOTLINE_BENCH_SERVE_FLAGS adds options to `hotline serve` (e.g. --realtime); HOTLINE_BENCH_RATE is the
# call rate of `hold` (default 100/s) and `bridged` (default 50/s).
set -eu
cd "$(dirname "$0")/../.."
MODE=$1; N=$2
BIN=${HOTLINE_BENCH_BIN:-$(swift build -c release --show-bin-path)/hotline}
DATA=${HOTLINE_BENCH_DATA:-/tmp/hotline-bench-server}
OUT=${HOTLINE_BENCH_OUT:-/tmp/hotline-bench}
mkdir -p "$OUT"
NS=hotline-server-bench-$$
RUN=""
SERVER=""
UAS=""
cleanup() {
  set +e
  [ -n "$UAS" ] && kill "$UAS" 2>/dev/null
  if [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; then
    # Graceful shutdown lets calls finish for up to 30 s; do not leave a server behind.
    for _ in $(seq 1 70); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVER" 2>/dev/null
  fi
  [ -n "$RUN" ] && ip netns del "$NS"
  true
}
if ip netns add "$NS" 2>/dev/null; then
  ip netns exec "$NS" ip link set lo up
  RUN="ip netns exec $NS"
fi
trap cleanup EXIT

mkdir -p "$DATA"
if [ ! -f "$DATA/hotline.yaml" ]; then
  # First start: the demo (taxpayers, flows, queues, agents); the prompt set is not rendered (text
  # prompts are spoken by espeak-ng once and cached).
  $RUN "$BIN" serve --data-dir "$DATA" --no-prompt-set --http-port 0 --log-level warning > "$OUT/first-start.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do [ -f "$DATA/hotline.yaml" ] && grep -q "hotline serving" "$OUT/first-start.log" && break; sleep 0.5; done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
fi
cp Benchmarks/server/hold.yaml "$DATA/flows/zz-bench-hold.yaml"
cp Benchmarks/server/bridged.yaml "$DATA/flows/zz-bench-bridged.yaml"
CONFIG=()
if [ "$MODE" = bridged ]; then
  # The demo configuration with CALLS+10 agents in the consultation queue, no wrap-up.
  AGENTS=$((N + 10))
  { sed '/^agents:/,$d' "$DATA/hotline.yaml" | sed 's/wrap-up: [0-9]*/wrap-up: 0/'
    echo "agents:"
    for i in $(seq 1 "$AGENTS"); do
      printf -- '- id: %d\n  name: agent%d\n  password: agent%d\n  queues:\n  - consultation\n' $((1000 + i)) $((1000 + i)) $((1000 + i))
    done
    sed -n '/^supervisor:/,$p' "$DATA/hotline.yaml"
  } > "$DATA/bridged.yaml"
  { echo SEQUENTIAL; for i in $(seq 1 "$AGENTS"); do echo "$((1000 + i));[authentication username=$((1000 + i)) password=agent$((1000 + i))];5090"; done; } > "$OUT/agents.csv"
  # One second of a 440 Hz tone in G.711 mu-law: what every caller sends (looped by rtp_stream).
  python3 -c '
import math, sys
def ulaw(x):
    s = 0x80 if x < 0 else 0; x = min(abs(x), 32635) + 132; e = 7
    while e > 0 and not x & (0x4000 >> (7 - e)): e -= 1
    return ~(s | e << 4 | (x >> (e + 3)) & 15) & 255
sys.stdout.buffer.write(bytes(ulaw(int(6000 * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(8000)))' > "$OUT/tone.ulaw"
  CONFIG=(--config "$DATA/bridged.yaml")
fi

$RUN "$BIN" serve --data-dir "$DATA" "${CONFIG[@]}" --http-port 8080 --log-level warning ${HOTLINE_BENCH_SERVE_FLAGS:-} > "$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do $RUN curl -sf http://127.0.0.1:8080/health > /dev/null 2>&1 && break; sleep 0.2; done
# /metrics needs permission report.read: sign in as the configured supervisor.
SUPERVISOR=$(awk '/^supervisor:/ { on = 1; next } on && $1 == "user:" { print $2 } on && /^[^ ]/ { on = 0 }' "$DATA/hotline.yaml")
PASSWORD=$(awk '/^supervisor:/ { on = 1; next } on && $1 == "password:" { print $2 } on && /^[^ ]/ { on = 0 }' "$DATA/hotline.yaml")
TOKEN=$($RUN curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$SUPERVISOR\",\"password\":\"$PASSWORD\"}" \
  http://127.0.0.1:8080/api/v1/login | sed -E 's/.*"token" *: *"([^"]+)".*/\1/')
scrape() { $RUN curl -sf -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/metrics; }
metric() { scrape | awk -v m="$1" '$1 == m { print $2 }'; }
active() { scrape | awk '/^hotline_calls_active\{/ { s += $2 } END { print s + 0 }'; }
cpu() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
# The server speaks every text prompt once at start (espeak-ng, cached): wait until it is idle.
for _ in $(seq 1 600); do A=$(cpu); sleep 1; B=$(cpu); [ $((B - A)) -le 3 ] && break; done
# Warm the speech cache: one call through each flow's first prompts.
$RUN sipp -sn uac 127.0.0.1:5060 -s 12366 -i 127.0.0.1 -p 5071 -m 1 -d 2000 -nostdin -timeout 30s > /dev/null 2>&1 || true
$RUN sipp -sn uac 127.0.0.1:5060 -s 9999 -i 127.0.0.1 -p 5071 -m 1 -d 2000 -nostdin -timeout 30s > /dev/null 2>&1 || true
if [ "$MODE" = bridged ]; then
  # The agents' phones: one sipp UAS on 5090 answers every agent's INVITE and echoes the RTP it gets
  # (on 7000, clear of the 6000 that an exiting warm-up sipp may still hold).
  $RUN sipp -sn uas -i 127.0.0.1 -p 5090 -rtp_echo -mp 7000 -buff_size 4194304 -nostdin > "$OUT/agents-uas.log" 2>&1 &
  UAS=$!
  sleep 1
  kill -0 "$UAS" 2>/dev/null || { echo "the agents' sipp UAS did not start:"; head -5 "$OUT/agents-uas.log"; exit 1; }
  $RUN sipp -sf Benchmarks/server/agent-register.xml 127.0.0.1:5060 -i 127.0.0.1 -p 5072 -inf "$OUT/agents.csv" \
    -m "$AGENTS" -r 200 -nostdin -timeout 60s > "$OUT/agents-register.log" 2>&1 || true
  sleep 1
  echo "agents registered and ready: $(metric 'hotline_agents{state="ready"}') of $AGENTS"
  (cd "$OUT" && $RUN sipp -sf "$OLDPWD/Benchmarks/server/bridged-caller.xml" 127.0.0.1:5060 -s 8888 -i 127.0.0.1 -p 5071 \
    -mp 40000 -m 1 -d 2000 -nostdin -timeout 30s > /dev/null 2>&1) || true
fi
sleep 2

TICK=$(getconf CLK_TCK)
SENT0=$(metric hotline_rtp_packets_sent_total); LATE0=$(metric hotline_rtp_packets_late_total)
TICKS0=$(metric hotline_media_ticks_total); LTICKS0=$(metric hotline_media_ticks_late_total)
BEFORE=$(cpu); START=$(date +%s.%N)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
PEAK=0
sample_peak() { while kill -0 "$1" 2>/dev/null; do a=$(active); [ "${a:-0}" -gt "$PEAK" ] && PEAK=$a && echo "$PEAK" > "$OUT/peak"; sleep 1; done; }
echo 0 > "$OUT/peak"
case $MODE in
  ivr|signalling)
    SECS=${3:-20}; HOLD=3000; [ "$MODE" = signalling ] && HOLD=0
    $RUN sipp -sn uac 127.0.0.1:5060 -s 12366 -i 127.0.0.1 -p 5061 -r "$N" -m $((N * SECS)) -l $((N * 8)) -d $HOLD \
      -buff_size 4194304 -nostdin -trace_stat -stf "$OUT/sipp-stat.csv" -timeout $((SECS + 90))s > "$OUT/sipp.log" 2>&1 &
    SIPP=$!
    sample_peak $SIPP &
    SAMPLER=$!
    wait $SIPP || true
    wait $SAMPLER 2>/dev/null || true
    SENT1=$(metric hotline_rtp_packets_sent_total); LATE1=$(metric hotline_rtp_packets_late_total)
    TICKS1=$(metric hotline_media_ticks_total); LTICKS1=$(metric hotline_media_ticks_late_total)
    CALLS=$((N * SECS)) ;;
  hold)
    SECS=${3:-60}; RATE=${HOTLINE_BENCH_RATE:-100}
    $RUN sipp -sn uac 127.0.0.1:5060 -s 9999 -i 127.0.0.1 -p 5061 -r "$RATE" -m "$N" -l "$N" -d $((SECS * 1000)) \
      -buff_size 4194304 -nostdin -trace_stat -stf "$OUT/sipp-stat.csv" -timeout $((SECS + N / RATE + 90))s > "$OUT/sipp.log" 2>&1 &
    SIPP=$!
    sample_peak $SIPP &
    SAMPLER=$!
    # Steady state: from all calls up (plus 2 s) to 5 s before the first hang-ups.
    sleep $((N / RATE + 2))
    SENT0=$(metric hotline_rtp_packets_sent_total); LATE0=$(metric hotline_rtp_packets_late_total)
    TICKS0=$(metric hotline_media_ticks_total); LTICKS0=$(metric hotline_media_ticks_late_total)
    BEFORE=$(cpu); START=$(date +%s.%N); UP=$(active)
    sleep $((SECS - 9))
    SENT1=$(metric hotline_rtp_packets_sent_total); LATE1=$(metric hotline_rtp_packets_late_total)
    TICKS1=$(metric hotline_media_ticks_total); LTICKS1=$(metric hotline_media_ticks_late_total)
    AFTER=$(cpu); END=$(date +%s.%N)
    echo "steady state: $UP calls up; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    awk -v b="$BEFORE" -v a="$AFTER" -v t="$TICK" -v s="$START" -v e="$END" -v c="$UP" \
      'BEGIN { cpu=(a-b)/t; w=e-s; printf "steady state %.1f s: server CPU %.2f s (%.0f%% of one core), %.0f us CPU per call-second\n", w, cpu, 100*cpu/w, 1e6*cpu/(w*c) }'
    wait $SIPP || true
    wait $SAMPLER 2>/dev/null || true
    CALLS=$N ;;
  bridged)
    SECS=${3:-60}; RATE=${HOTLINE_BENCH_RATE:-50}
    (cd "$OUT" && exec $RUN sipp -sf "$OLDPWD/Benchmarks/server/bridged-caller.xml" 127.0.0.1:5060 -s 8888 -i 127.0.0.1 -p 5061 \
      -mp 40000 -r "$RATE" -m "$N" -l "$N" -d $((SECS * 1000)) -buff_size 4194304 -nostdin -trace_stat -stf "$OUT/sipp-stat.csv" \
      -timeout $((SECS + N / RATE + 90))s > "$OUT/sipp.log" 2>&1) &
    SIPP=$!
    sample_peak $SIPP &
    SAMPLER=$!
    # Steady state: from all calls bridged (plus 4 s: prompt, ring, answer) to 5 s before the first hang-ups.
    WINDOW=$((SECS - N / RATE - 9))
    [ "$WINDOW" -ge 10 ] || { echo "SECONDS must exceed CALLS/RATE + 19"; exit 2; }
    mkdir -p "$DATA/recordings"
    sleep $((N / RATE + 4))
    SENT0=$(metric hotline_rtp_packets_sent_total); LATE0=$(metric hotline_rtp_packets_late_total)
    TICKS0=$(metric hotline_media_ticks_total); LTICKS0=$(metric hotline_media_ticks_late_total)
    BEFORE=$(cpu); START=$(date +%s.%N); UP=$(metric 'hotline_calls_active{phase="bridged"}')
    REC0=$(du -sb "$DATA/recordings" | cut -f1)
    sleep "$WINDOW"
    SENT1=$(metric hotline_rtp_packets_sent_total); LATE1=$(metric hotline_rtp_packets_late_total)
    TICKS1=$(metric hotline_media_ticks_total); LTICKS1=$(metric hotline_media_ticks_late_total)
    AFTER=$(cpu); END=$(date +%s.%N); UP1=$(metric 'hotline_calls_active{phase="bridged"}')
    REC1=$(du -sb "$DATA/recordings" | cut -f1)
    echo "steady state: $UP calls bridged at the start, $UP1 at the end; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    awk -v b="$BEFORE" -v a="$AFTER" -v t="$TICK" -v s="$START" -v e="$END" -v c="$UP" -v r0="$REC0" -v r1="$REC1" \
      'BEGIN { cpu=(a-b)/t; w=e-s; printf "steady state %.1f s: server CPU %.2f s (%.0f%% of one core), %.0f us CPU per bridged call-second; recordings grew %.1f MB/s\n", w, cpu, 100*cpu/w, 1e6*cpu/(w*c), (r1-r0)/w/1e6 }'
    wait $SIPP || true
    wait $SAMPLER 2>/dev/null || true
    CALLS=$N ;;
  *) echo "unknown mode $MODE"; exit 2 ;;
esac
END=$(date +%s.%N); AFTER=$(cpu)
grep -E "Successful call|Failed call|Total Call created|Retransmissions" "$OUT/sipp.log" | tail -4 || true
echo "peak concurrent calls (1 s samples): $(cat "$OUT/peak")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s0="$SENT0" -v s1="$SENT1" -v l0="$LATE0" -v l1="$LATE1" -v t0="$TICKS0" -v t1="$TICKS1" -v lt0="$LTICKS0" -v lt1="$LTICKS1" \
  'BEGIN { s=s1-s0; l=l1-l0; printf "RTP sent %d, late (>10 ms after the tick was due) %d = %.3f%%; ticks %d, late ticks %d\n", s, l, (s > 0 ? 100*l/s : 0), t1-t0, lt1-lt0 }'
if [ "$MODE" != hold ] && [ "$MODE" != bridged ]; then
  awk -v b="$BEFORE" -v a="$AFTER" -v t="$TICK" -v s="$START" -v e="$END" -v n="$CALLS" \
    'BEGIN { c=(a-b)/t; w=e-s; printf "wall %.1f s, server CPU %.2f s (%.0f%% of one core), %.0f us CPU per call\n", w, c, 100*c/w, 1e6*c/n }'
fi
scrape | grep -E "^hotline_(calls_total|rtp_send_lateness_max|media_tick_longest|media_ticks_skipped)" > "$OUT/metrics-tail.txt" || true
cat "$OUT/metrics-tail.txt"
