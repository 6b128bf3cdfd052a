#!/usr/bin/env bash
# Instance Infusion experiments (papers/instance-infusion-lsh-bilstm.txt), one command per table / figure:
#
#   experiments/infusion-experiment.sh table1  [OUT]   baseline, infused, infused + penalty, the continued-training
#                                                      control (accuracy, macro-F1), paired tests between them
#   experiments/infusion-experiment.sh table4  [OUT]   source = target, self excluded
#   experiments/infusion-experiment.sh figure2 [OUT]   target fractions 0.3 … 1.0, baseline vs infused (+ PNG)
#   experiments/infusion-experiment.sh table6  [OUT]   50 % of the target, one source vs several
#   experiments/infusion-experiment.sh table5  [OUT]   classical baselines (`tributary experiment baselines`)
#
# Each writes OUT/<experiment>.md (a Markdown table, mean ± std over the folds run, beside the paper's numbers)
# and keeps every model / log under OUT/work.
#
# Pipeline per (target T, source S, fold f, fraction p):
#   train-text S (10 % held out)      → S's encoder;  embed S → index S      (once per source, cached)
#   train-text T --fold f/K --train-fraction p                         → baseline row (T's encoder)
#   train-infused T … --index S --penalty 0 | 1e-4                     → infused rows (initialised from the baseline)
#
# Scale (environment; defaults are a CPU-sized subset of Table 3 — the paper's sizes are D 300, 20/30 epochs,
# all 10 folds):
#   NP (ranks, 1)  FOLDS ("1 2": which folds of K)  K (10)  EPOCHS (8)  EMB (64)  HID (32)  CTX (50)  MAXLEN (150)
#   VOCAB (10000)  SOURCE_EPOCHS (EPOCHS; the source encoders')  INFUSED_EPOCHS (EPOCHS; train-infused's)
#   INFUSED_LR (0.01, Table 3; the joint training's Adam learning rate)  PAIRS (table1 "bbcsport:bbc bbc:bbcsport"; T:S[+S2…])  DATA (../shared/data)  TRIBUTARY
set -euo pipefail
cd "$(dirname "$0")/.."

EXPERIMENT=${1:?usage: experiments/infusion-experiment.sh table1|table4|figure2|table6 [OUT]}
OUT=${2:-out/infusion}
NP=${NP:-1}; FOLDS=${FOLDS:-"1 2"}; K=${K:-10}; EPOCHS=${EPOCHS:-8}
EMB=${EMB:-64}; HID=${HID:-32}; CTX=${CTX:-50}; MAXLEN=${MAXLEN:-150}; VOCAB=${VOCAB:-10000}
DATA=${DATA:-${TRIBUTARY_SHARED_DATA:-../shared/data}}
TRIBUTARY=${TRIBUTARY:-.build/release/tributary}
WORK="$OUT/work"
mkdir -p "$WORK"

run() {  # run LOG CMD… : the command under mpirun when NP > 1, output kept in LOG
    local log=$1; shift
    # launch/run.sh: one BLAS thread per rank, no pinning (the experiment may share the cores), root allowed
    if [ "$NP" -gt 1 ]; then TRIBUTARY_BIN="$TRIBUTARY" bash launch/run.sh -n "$NP" --threads 1 --bind none -- "$@" >"$log" 2>&1
    else "$TRIBUTARY" "$@" >"$log" 2>&1; fi || { echo "failed: $* (see $log)" >&2; tail -5 "$log" >&2; exit 1; }
}

data() {  # data CORPUS → its archive
    case $1 in
        bbc) echo "$DATA/bbc/bbc.tar.gz" ;;
        bbcsport) echo "$DATA/bbcsport/bbcsport.tar.gz" ;;
        20news) echo "$DATA/20news/20news-bydate.tar.gz" ;;
    esac
}

SIZES=(--embedding-size "$EMB" --hidden-size "$HID" --context-size "$CTX" --max-length "$MAXLEN" --vocab-size "$VOCAB")

metrics() {  # metrics LOG → "accuracy macroF1" from the last `test: accuracy A %, macro-F1 F` line
    grep 'test: accuracy' "$1" | tail -1 | sed -E 's/.*accuracy ([0-9.]+) %, macro-F1 ([0-9.]+).*/\1 \2/'
}

source_index() {  # source_index S → the index master over S's embeddings (S's own encoder), built once
    local s=$1 w="$WORK/source-$1"
    if [ ! -f "$w/index.h5" ]; then
        mkdir -p "$w"
        run "$w/train.log" train-text --corpus "$s" --data "$(data "$s")" "${SIZES[@]}" --epochs "${SOURCE_EPOCHS:-$EPOCHS}" \
            --test-fraction 0.1 --out "$w/model.h5"
        run "$w/embed.log" embed --corpus "$s" --data "$(data "$s")" --model "$w/model.h5" --out "$w/embeddings.h5"
        run "$w/index.log" index --embeddings "$w/embeddings.h5" --out "$w/index.h5"
    fi
    echo "$w/index.h5"
}

self_index() {  # self_index T FOLD FRACTION → the target's own embeddings (its fold model) indexed
    local w="$WORK/$1-f$2-p$3"
    if [ ! -f "$w/self-index.h5" ]; then
        run "$w/self-embed.log" embed --corpus "$1" --data "$(data "$1")" --model "$w/baseline.h5" --out "$w/self-embeddings.h5"
        run "$w/self-index.log" index --embeddings "$w/self-embeddings.h5" --out "$w/self-index.h5"
    fi
    echo "$w/self-index.h5"
}

baseline() {  # baseline T FOLD FRACTION → "acc f1"
    local w="$WORK/$1-f$2-p$3"
    mkdir -p "$w"
    [ -f "$w/baseline.h5" ] && [ -f "$w/baseline-checkpoint/checkpoint.h5" ] || run "$w/baseline.log" train-text \
        --corpus "$1" --data "$(data "$1")" "${SIZES[@]}" --epochs "$EPOCHS" --fold "$2/$K" --train-fraction "$3" \
        --checkpoint "$w/baseline-checkpoint" --out "$w/baseline.h5"
    metrics "$w/baseline.log"
}

control() {  # control T FOLD FRACTION → "acc f1": the baseline trained on for the infused runs' extra epochs
    # The continued-training control: resume the baseline's final checkpoint (its weights, Adam moments and
    # learning-rate schedule) and train INFUSED_EPOCHS more epochs on the same training rows, without retrieval.
    local w="$WORK/$1-f$2-p$3"
    baseline "$@" >/dev/null
    if [ ! -f "$w/control.h5" ]; then
        rm -rf "$w/control-checkpoint"; cp -r "$w/baseline-checkpoint" "$w/control-checkpoint"
        run "$w/control.log" train-text --corpus "$1" --data "$(data "$1")" "${SIZES[@]}" \
            --epochs $((EPOCHS + ${INFUSED_EPOCHS:-$EPOCHS})) --fold "$2/$K" --train-fraction "$3" \
            --checkpoint "$w/control-checkpoint" --resume --out "$w/control.h5"
    fi
    metrics "$w/control.log"
}

compare() {  # compare LABEL "acc f1"… -- "acc f1"… → a `tributary stats compare` row on accuracy (paired by fold)
    local label=$1; shift
    local base=() method=() side=base x
    for x in "$@"; do
        if [ "$x" = "--" ]; then side=method; continue; fi
        if [ $side = base ]; then base+=("${x%% *}"); else method+=("${x%% *}"); fi
    done
    printf '%s\n' "${base[@]}" >"$WORK/compare-base.txt"; printf '%s\n' "${method[@]}" >"$WORK/compare-method.txt"
    "$TRIBUTARY" stats compare --header --baseline "$WORK/compare-base.txt" --method "$WORK/compare-method.txt" \
        --label "$label" 2>/dev/null || echo "| $label | ${#base[@]} | – | – | – | – | – | one fold: run FOLDS with ≥ 2 folds for a paired test |"
}

infused() {  # infused T FOLD FRACTION PENALTY TAG [extra flags…] → "acc f1"
    local t=$1 f=$2 p=$3 lambda=$4 tag=$5; shift 5
    local w="$WORK/$t-f$f-p$p"
    [ -f "$w/$tag.h5" ] || run "$w/$tag.log" train-infused --corpus "$t" --data "$(data "$t")" --model "$w/baseline.h5" \
        --fold "$f/$K" --train-fraction "$p" --epochs "${INFUSED_EPOCHS:-$EPOCHS}" --learning-rate "${INFUSED_LR:-0.01}" --penalty "$lambda" \
        --out "$w/$tag.h5" "$@"
    metrics "$w/$tag.log"
}

stats() {  # stats "a b" "c d" … → "mean_acc ± std_acc | mean_f1 ± std_f1" over the folds
    printf '%s\n' "$@" | awk '{a[NR]=$1; f[NR]=$2; sa+=$1; sf+=$2} END {
        ma=sa/NR; mf=sf/NR; for (i=1;i<=NR;i++) {va+=(a[i]-ma)^2; vf+=(f[i]-mf)^2}
        sda=(NR>1)?sqrt(va/(NR-1)):0; sdf=(NR>1)?sqrt(vf/(NR-1)):0
        printf "%.2f ± %.2f | %.4f ± %.4f", ma, sda, mf, sdf }'
}

index_flags() {  # index_flags S1+S2… → --index A --index B …
    local flags=() s
    IFS=+ read -ra sources <<<"$1"
    for s in "${sources[@]}"; do flags+=(--index "$(source_index "$s")"); done
    echo "${flags[@]}"
}

header() {
    cat <<EOF
<!-- experiments/infusion-experiment.sh $EXPERIMENT: NP=$NP FOLDS="$FOLDS" K=$K EPOCHS=$EPOCHS INFUSED_EPOCHS=${INFUSED_EPOCHS:-$EPOCHS} INFUSED_LR=${INFUSED_LR:-0.01} EMB=$EMB HID=$HID CTX=$CTX MAXLEN=$MAXLEN VOCAB=$VOCAB -->
Folds run: $FOLDS of $K (stratified, seed 0); D $EMB, H $HID, M $CTX, max length $MAXLEN, vocabulary $VOCAB,
$EPOCHS epochs (source encoders ${SOURCE_EPOCHS:-$EPOCHS}, infused ${INFUSED_EPOCHS:-$EPOCHS}), k = 5, λ = 1e-4, Adam lr 0.01 (infused ${INFUSED_LR:-0.01}) ×0.3 every 10 epochs, Table 3 batch sizes, $NP rank(s).
Source encoders: \`train-text\` on the source (10 % held out), \`embed\` (all documents), \`index\` (L 64, k_m 20, c 32, cosine).

EOF
}

case $EXPERIMENT in
table1)
    PAIRS=${PAIRS:-"bbcsport:bbc bbc:bbcsport"}
    rows=()
    { header
      echo "| target ← source | method | accuracy (%) | macro-F1 | paper accuracy | paper F1 |"
      echo "| --- | --- | --- | --- | --- | --- |"
      for pair in $PAIRS; do
          t=${pair%%:*}; s=${pair#*:}
          flags=$(index_flags "$s")
          b=(); i=(); ip=()
          for f in $FOLDS; do
              b+=("$(baseline "$t" "$f" 1.0)")
              # shellcheck disable=SC2086
              i+=("$(infused "$t" "$f" 1.0 0 "infused-$s" $flags)")
              # shellcheck disable=SC2086
              ip+=("$(infused "$t" "$f" 1.0 1e-4 "infused-penalty-$s" $flags)")
          done
          case $t in bbc) pb="91.33|0.9122"; pi="95.35|0.9531"; pp="96.09|0.9619" ;;
                     bbcsport) pb="84.22|0.8395"; pi="88.78|0.8855"; pp="91.56|0.9100" ;;
                     *) pb="65.17|0.6328"; pi="76.44|0.7586"; pp="78.29|0.7773" ;; esac
          echo "| $t ← $s | bi-LSTM (target only) | $(stats "${b[@]}") | $pb |"
          echo "| $t ← $s | instance-infused | $(stats "${i[@]}") | $pi |"
          echo "| $t ← $s | instance-infused + penalty | $(stats "${ip[@]}") | $pp |"
          c=(); for f in $FOLDS; do c+=("$(control "$t" "$f" 1.0)"); done
          echo "| $t ← $s | control: bi-LSTM trained ${INFUSED_EPOCHS:-$EPOCHS} more epochs | $(stats "${c[@]}") | – |"
          rows+=("$(compare "$t ← $s: infused vs baseline" "${b[@]}" -- "${i[@]}")")
          rows+=("$(compare "$t ← $s: infused + penalty vs baseline" "${b[@]}" -- "${ip[@]}")")
          rows+=("$(compare "$t ← $s: control vs baseline" "${b[@]}" -- "${c[@]}")")
          rows+=("$(compare "$t ← $s: infused + penalty vs control" "${c[@]}" -- "${ip[@]}")")
      done
      echo
      echo "Paired by fold (accuracy, %; \`tributary stats compare\`): the control isolates what the infused runs' extra"
      echo "epochs alone give."
      echo
      echo "| comparison | n | baseline (mean ± std) | method (mean ± std) | difference [95 % CI] | paired t p | Wilcoxon p | verdict (α = 0.05) |"
      echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
      printf '%s\n' "${rows[@]}" | grep -v '^| comparison' | grep -v '^| ---' ; } >"$OUT/table1.md"
    ;;
table4)
    TARGETS=${TARGETS:-"bbcsport bbc"}
    { header
      echo "| dataset (source = target, self excluded) | baseline accuracy | infused + penalty accuracy (%) | macro-F1 | paper accuracy | paper F1 |"
      echo "| --- | --- | --- | --- | --- | --- |"
      for t in $TARGETS; do
          b=(); r=()
          for f in $FOLDS; do
              b+=("$(baseline "$t" "$f" 1.0)")
              r+=("$(infused "$t" "$f" 1.0 1e-4 self --index "$(self_index "$t" "$f" 1.0)" --exclude-self)")
          done
          case $t in bbc) paper="96.17|0.9606" ;; bbcsport) paper="90.63|0.8931" ;; *) paper="77.51|0.7707" ;; esac
          echo "| $t | $(stats "${b[@]}" | cut -d'|' -f1) | $(stats "${r[@]}") | $paper |"
      done; } >"$OUT/table4.md"
    ;;
figure2)
    T=${TARGET:-bbcsport}; S=${SOURCE:-bbc}
    flags=$(index_flags "$S")
    : >"$OUT/figure2-$T.dat"
    { header
      echo "| fraction of $T's training split | baseline accuracy (%) | infused + penalty ← $S accuracy (%) |"
      echo "| --- | --- | --- |"
      for p in 0.3 0.5 0.7 0.9 1.0; do
          b=(); r=()
          for f in $FOLDS; do
              b+=("$(baseline "$T" "$f" "$p")")
              # shellcheck disable=SC2086
              r+=("$(infused "$T" "$f" "$p" 1e-4 "infused-penalty-$S" $flags)")
          done
          sb=$(stats "${b[@]}"); sr=$(stats "${r[@]}")
          echo "| $p | ${sb%%|*} | ${sr%%|*} |"
          echo "$p ${sb%% ±*} ${sr%% ±*}" >>"$OUT/figure2-$T.dat"
      done; } >"$OUT/figure2-$T.md"
    full=$(awk '$1 == "1.0" {print $2}' "$OUT/figure2-$T.dat")
    gnuplot <<EOF
set terminal pngcairo size 640,420
set output "$OUT/figure2-$T.png"
set title "$T: accuracy over training fractions (source $S)"
set xlabel "fraction of the training split"; set ylabel "test accuracy (%)"
set key bottom right; set grid
plot "$OUT/figure2-$T.dat" using 1:3 with linespoints lw 2 lc rgb "blue" title "instance-infused bi-LSTM", \
     "$OUT/figure2-$T.dat" using 1:2 with linespoints lw 2 lc rgb "red" title "bi-LSTM (target only)", \
     $full with lines dt 2 lc rgb "red" title "baseline, full data"
EOF
    echo "![figure 2 ($T)](figure2-$T.png)" >>"$OUT/figure2-$T.md"
    ;;
table6)
    ROWS=${ROWS:-"bbcsport:bbc:bbc+20news"}
    { header
      echo "| target (50 %) | sources | baseline accuracy (%) | single source accuracy | macro-F1 | several sources accuracy | macro-F1 |"
      echo "| --- | --- | --- | --- | --- | --- | --- |"
      for row in $ROWS; do
          IFS=: read -r t single several <<<"$row"
          f1=$(index_flags "$single"); f2=$(index_flags "$several")
          b=(); a=(); m=()
          for f in $FOLDS; do
              b+=("$(baseline "$t" "$f" 0.5)")
              # shellcheck disable=SC2086
              a+=("$(infused "$t" "$f" 0.5 1e-4 "infused-penalty-$single" $f1)")
              # shellcheck disable=SC2086
              m+=("$(infused "$t" "$f" 0.5 1e-4 "infused-penalty-${several//+/-}" $f2)")
          done
          echo "| $t | $single / $several | $(stats "${b[@]}" | cut -d'|' -f1) | $(stats "${a[@]}") | $(stats "${m[@]}") |"
      done; } >"$OUT/table6.md"
    ;;
table5)
    CORPORA=${CORPORA:-"bbcsport bbc"}
    { echo "<!-- experiments/infusion-experiment.sh table5: FOLDS=\"$FOLDS\" K=$K MAX_FEATURES=${MAX_FEATURES:-10000} -->"
      echo "Folds run: $FOLDS of $K; vocabulary: the ${MAX_FEATURES:-10000} terms of highest document frequency."
      echo
      for t in $CORPORA; do
          for f in $FOLDS; do
              [ -f "$WORK/baselines-$t-f$f.md" ] || run "$WORK/baselines-$t-f$f.log" experiment baselines --corpus "$t" \
                  --data "$(data "$t")" --fold "$f/$K" --max-features "${MAX_FEATURES:-10000}" --out "$WORK/baselines-$t-f$f.md"
          done
          echo "**$t**"
          echo
          echo "| model | accuracy (%) | macro-F1 |"
          echo "| --- | --- | --- |"
          cat "$WORK"/baselines-"$t"-f*.md | grep -v -- '---' | grep -v '^| model' | awk -F'|' '{
              n=$2; a[n]+=$3; a2[n]+=$3*$3; f[n]+=$4; f2[n]+=$4*$4; c[n]++; if (!(n in seen)) {seen[n]=1; order[++m]=n} }
              END { for (i=1;i<=m;i++) { n=order[i]; k=c[n]; ma=a[n]/k; mf=f[n]/k
                  sa=(k>1)?sqrt((a2[n]-k*ma*ma)/(k-1)):0; sf=(k>1)?sqrt((f2[n]-k*mf*mf)/(k-1)):0
                  printf "|%s| %.2f ± %.2f | %.4f ± %.4f |\n", n, ma, sa, mf, sf } }'
          echo
      done; } >"$OUT/table5.md"
    ;;
*) echo "unknown experiment $EXPERIMENT: table1, table4, figure2, table5 or table6" >&2; exit 2 ;;
esac
echo "wrote $OUT/$EXPERIMENT*.md"
