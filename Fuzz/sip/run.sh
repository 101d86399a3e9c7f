#!/bin/sh
# Builds and runs the libFuzzer target for the SIP parser.
# Usage: Fuzz/sip/run.sh [seconds]   (from the package root; default 180 s)
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-180}"
OUT=.build/fuzz-sip
mkdir -p "$OUT" "$OUT/corpus"
SRC=Sources/HotlineSIP
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  -module-name HotlineSIPFuzz -swift-version 6 \
  $SRC/SIPMethod.swift $SRC/SIPParseError.swift $SRC/SIPURI.swift $SRC/HeaderParameter.swift \
  $SRC/NameAddress.swift $SRC/SIPHeaders.swift $SRC/SIPMessage.swift $SRC/SIPMessageParser.swift \
  $SRC/SIPStreamFramer.swift Fuzz/sip/FuzzSIPParser.swift \
  -o "$OUT/fuzz-sip"
# New inputs go to the scratch corpus; the small seed corpus in the repository is read only.
"$OUT/fuzz-sip" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=5 \
  -artifact_prefix="$OUT/" "$OUT/corpus" Fuzz/sip/corpus
