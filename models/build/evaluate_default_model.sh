#!/usr/bin/env bash
# Scores and evaluates the default model on its dev splits with the pipeline itself:
#   models/build/evaluate_default_model.sh [shared data folder] [extra --conf KEY=VALUE ...]
# IMDB dev: the 2,500 reviews of models/build/imdb-dev-ids.txt, taken from the shared IMDB train file;
# SST-2 dev: the 872 GLUE dev sentences; rt-polarity dev: the 1,000 snippets of models/build/rt-dev-ids.txt, taken
# from the shared rt-polarity file. Results go to target/dev-eval/ (tables and reports).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
data=${1:-$root/../shared/data}
shift || true
out=$root/target/dev-eval
mkdir -p "$out"
# The id is everything before a line's first comma (see the shared data README).
awk -F, 'NR == FNR { ids[$1]; next } FNR == 1 || ($1 in ids)' models/build/imdb-dev-ids.txt \
  "$data/imdb_aclImdb_v1_train.csv" > "$out/imdb_dev.csv"
awk -F, 'NR == FNR { ids[$1]; next } FNR == 1 || ($1 in ids)' models/build/rt-dev-ids.txt \
  "$data/rt-polarity_v1.0_minus-sst2-test-snippets.csv" > "$out/rt_dev.csv"
for split in imdb_dev:"$out/imdb_dev.csv" sst2_dev:"$data/sst2_glue_dev.csv" rt_dev:"$out/rt_dev.csv"; do
  name=${split%%:*}
  rm -rf "$out/$name"
  bin/reviewscore run --config models/build/dev-eval.conf --conf source.path="${split#*:}" \
    --conf output.scored.path="$out/$name/scored" --conf output.rejects.path="$out/$name/rejects" \
    --conf output.metrics.path="$out/$name/metrics" --conf output.reports="$out/$name/reports" "$@" \
    | grep -v '^  '
done
