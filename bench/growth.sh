#!/usr/bin/env bash
# How each stage of a build grows with the catalogue (issue 26): seeded synthetic catalogues of
# several sizes (localrec synthetic-catalog: 10 users and 200 interactions per item), and each
# stage's wall time and peak memory (/usr/bin/time -v). A benchmark, never run by the tests.
#
#   bench/growth.sh [sizes…] [--stages "embed pretrain fit site"]   (default: 10000 30000 100000, fit)
#
# Stages run in the order given, each on what the earlier ones left in the catalogue's folder;
# `site` is build-site on top of them (the page's files, shards, copies and the first list: it
# needs the page built, scripts/build-web.sh, and finds the vectors, head and table current).
#
# PRETRAIN_ARGS adds options to the pretrain stage (e.g. "--epochs 2" to time two step-budget
# epochs, or "--negatives 2048 --epoch-steps 500" below 20,000 items, where the full softmax is
# the default); its validation NDCG@10 goes to the last column. FIT_ARGS adds options to the fit
# stage (e.g. "--new-people-cost 0.005").
#
# Prints one line per size and stage; results go to bench/results/growth-<date>[-n].tsv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stages="fit"
sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --stages) stages=$2; shift 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 30000 100000)
bin=${LOCALREC:-target/debug/localrec}
[ -x "$bin" ] || cargo build --quiet --bin localrec
work=${WORK:-/tmp/localrec-growth}
# A day's earlier results are kept: a second run that day writes growth-<date>-2.tsv, and so on.
out="bench/results/growth-$(date +%F).tsv"
for n in 2 3 4 5 6 7 8 9; do [ -e "$out" ] || break; out="bench/results/growth-$(date +%F)-$n.tsv"; done
mkdir -p "$work" bench/results
printf 'items\tusers\tinteractions\tstage\tseconds\tpeak_mb\tnote\n' > "$out"

measure() { # size stage command…
  local size=$1 stage=$2; shift 2
  local log="$work/$size-$stage.time"
  /usr/bin/time -v "$@" > "$work/$size-$stage.log" 2> "$log"
  local wall peak
  wall=$(awk -F': ' '/Elapsed/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$log")
  peak=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$log")
  local note
  note=$(grep -o 'best epoch.*' "$work/$size-$stage.log" "$log" 2> /dev/null | head -1 | cut -d: -f2-) || true
  [ "$stage" != fit ] || note=${FIT_ARGS:-}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" $((size * 10)) $((size * 200)) "$stage" "$wall" "$peak" \
    "$note" | tee -a "$out"
}

for size in "${sizes[@]}"; do
  data="$work/$size"
  [ -f "$data/lists.tsv" ] || "$bin" synthetic-catalog --items "$size" --users $((size * 10)) \
    --interactions $((size * 200)) --out "$data" 2> /dev/null
  for stage in $stages; do
    case $stage in
      embed) measure "$size" embed "$bin" embed-catalog --dataset "$data" ;;
      # shellcheck disable=SC2086 # PRETRAIN_ARGS is a list of options
      pretrain) measure "$size" pretrain "$bin" pretrain --dataset "$data" ${PRETRAIN_ARGS:-} ;;
      # shellcheck disable=SC2086 # FIT_ARGS is a list of options
      fit) measure "$size" fit "$bin" fit-item-item --dataset "$data" ${FIT_ARGS:-} ;;
      site) rm -rf "$work/$size-site"
        measure "$size" site "$bin" build-site --dataset "$data" --out "$work/$size-site" ;;
      *) echo "unknown stage $stage" >&2; exit 1 ;;
    esac
  done
done
echo "wrote $out"
