#!/bin/sh
# Fuzzes HotlineMedia's RTP, RFC 4733, RTCP and SDP parsers and the RTP receive path with libFuzzer.
# Usage: Fuzz/run-rtp.sh [SECONDS]   (default 120). Run from the package root.
# Crashes are written to .build/fuzz/; the seed corpus Fuzz/corpus-rtp stays small (new inputs go to
# .build/fuzz/corpus, which is not committed).
set -eu
seconds="${1:-120}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.build/fuzz"
mkdir -p "$out/corpus" "$out/artifacts"
src="$root/Sources/HotlineMedia"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
    -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature MemberImportVisibility \
    -enable-upcoming-feature ExistentialAny -module-name HotlineMediaFuzz \
    "$src/G711.swift" "$src/RTPPacket.swift" "$src/TelephoneEvent.swift" "$src/RTCPPacket.swift" \
    "$src/SessionDescription.swift" "$src/OfferAnswer.swift" "$src/JitterBuffer.swift" \
    "$src/ReceptionStatistics.swift" "$src/LossConcealer.swift" "$src/RTPReceiver.swift" \
    "$root/Fuzz/RTPFuzzer.swift" -o "$out/rtp-fuzzer"
"$out/rtp-fuzzer" -max_total_time="$seconds" -max_len=1500 -artifact_prefix="$out/artifacts/" \
    "$out/corpus" "$root/Fuzz/corpus-rtp"
