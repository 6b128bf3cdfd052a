#!/usr/bin/env bash
# kill-resume-matrix.sh: every stage killed (SIGKILL) at several moments and rank counts, then resumed; the resumed
# outputs must equal an uninterrupted run's in every dataset and attribute (docs/reliability.md, "Kill and resume").
#
#   experiments/kill-resume-matrix.sh [WORK_DIR]     (default: a temporary folder, removed when every row passes)
#
# Knobs (environment): NPS="1 2" (rank counts), MOMENTS="0.25 0.5 0.75" (the kill lands after this fraction of the
# stage's uninterrupted wall time), STAGES="extract fit-pca fit-gmm encode fisher train-text embed index",
# LIMIT=256 (Fashion-MNIST images), DOCS=600 (documents of the generated text corpus), TRIBUTARY_BIN.
#
# For each rank count, an uninterrupted reference runs the chains extract → fit-pca → fit-gmm → encode → annotate
# train (one folder), fisher (another folder), and train-text → embed → index, timing each stage. Then for each stage
# S and moment f, the same path ($work/at-npN: headers record input paths, so every run uses one path; the reference
# is moved to ref-npN and each case to npN-S-f afterwards) gets the reference's inputs of S (its outputs and every
# later stage's removed), S starts in
# its own process group (launch/run.sh, so mpirun and every rank), the whole group is killed with SIGKILL after
# f × (S's reference time), and S is run again with the same options (train-text: plus --resume when its checkpoint
# folder holds one: the row says "resumed" then). Every HDF5 file the case folder then holds (masters and parts, no temporaries) is compared with the
# reference's file of the same name: `h5dump` of both (every group, dataset value and attribute; virtual datasets
# read through their parts), without the first line (the file name), with the run's folder (input paths in
# headers) replaced by @, and without attributes whose name records a
# time (/time|seconds|elapsed|date|host|pid/; none is written today, the filter is there so a later one cannot
# hide a difference). One row per case: stage | moment | ranks | "killed" (the kill landed while S ran) or
# "finished first" | identical files / compared | verdict. Needs /usr/share/datasets/fashion-mnist and h5dump.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../Tests/smoke/lib.sh" kill-resume "${1:-}"
command -v h5dump >/dev/null || skip "h5dump missing (apt-get install hdf5-tools)"
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || skip "dataset-fashion-mnist missing"
nps="${NPS:-1 2}"; moments="${MOMENTS:-0.25 0.5 0.75}"
stages="${STAGES:-extract fit-pca fit-gmm encode annotate-train fisher train-text embed index}"
images="${LIMIT:-256}"; docs="${DOCS:-600}"

corpus "$work/texts.csv" "$docs" 7
fv_args=(--limit "$images" --chunk-size 32)
declare -A args=(
    [extract]="extract ${fv_args[*]}"
    [fit-pca]="fit-pca --pca-dims 32 --sample-size 5000 --seed 3"
    [fit-gmm]="fit-gmm --components 16 --iterations 10 --sample-size 5000 --seed 3"
    [encode]="encode --chunk-size 32"
    [fisher]="fisher ${fv_args[*]} --components 16 --pca-dims 32 --sample-size 5000 --iterations 10 --seed 3"
    [train-text]="train-text --corpus csv --data $work/texts.csv --epochs 3 --embedding-size 8 --hidden-size 8 --context-size 3 --seed 1 --checkpoint-every-steps 4"
    [embed]="embed --corpus csv --data $work/texts.csv"
    [index]="index --trees 4 --seed 5"
    [annotate-train]="annotate train --runs svm-early-visual,svm-late-visual"
)
# Where each stage runs and what it writes (relative to its folder), in chain order.
declare -A folder=([extract]=fv [fit-pca]=fv [fit-gmm]=fv [encode]=fv [annotate-train]=fv [fisher]=fisher [train-text]=text [embed]=text [index]=text)
declare -A outputs=([extract]="descriptors.h5 descriptors.h5.parts" [fit-pca]="pca.h5" [fit-gmm]="gmm.h5"
                    [encode]="fv.h5 fv.h5.parts" [annotate-train]="ann" [fisher]="descriptors.h5 descriptors.h5.parts pca.h5 gmm.h5 fv.h5 fv.h5.parts"
                    [train-text]="model.h5 checkpoints" [embed]="embeddings.h5" [index]="index.h5 index.h5.parts")
chain=(extract fit-pca fit-gmm encode annotate-train fisher train-text embed index)

# The command line of stage S for folder D.
command_of() {
    local s="$1" d="$2"
    case "$s" in
        extract|fit-pca|fit-gmm|encode|fisher) echo "${args[$s]} --out $d" ;;
        train-text) echo "${args[$s]} --checkpoint $d/checkpoints --out $d/model.h5" ;;
        embed) echo "${args[$s]} --model $d/model.h5 --out $d/embeddings.h5" ;;
        index) echo "${args[$s]} --embeddings $d/embeddings.h5 --out $d/index.h5" ;;
        annotate-train) echo "${args[$s]} --fv $d/fv.h5 --annotations $d/images.csv --out $d/ann" ;;
    esac
}

# Runs stage S on NP ranks in its own process group; prints nothing; $! is the group.
start() {
    local np="$1" s="$2" d="$3" log="$4"
    # shellcheck disable=SC2046
    setsid timeout --kill-after=10 "$limit" bash "$launch/run.sh" -n "$np" --threads 1 --bind none -- $(command_of "$s" "$d") >"$log" 2>&1 &
}

dump() {  # dump FILE ROOT: h5dump without the file name line, ROOT (the run's folder, recorded in headers as input
          # paths) written as @, and without attributes that record a time
    h5dump "$1" 2>&1 | tail -n +2 | sed "s#$2#@#g" | "$python" -c '
import re, sys
skip = 0
for line in sys.stdin:
    if skip:
        skip += line.count("{") - line.count("}")
        continue
    m = re.match(r"\s*ATTRIBUTE \"([^\"]*)\" \{", line)
    if m and re.search(r"time|seconds|elapsed|date|host|pid", m.group(1)):
        skip = 1
        continue
    sys.stdout.write(line)' 2>/dev/null
}

declare -A took
rows=()
for np in $nps; do
    at="$work/at-np$np"; rm -rf "$at" "$work/ref-np$np"
    ref="$at"
    mkdir -p "$ref/fv" "$ref/fisher" "$ref/text"
    for s in "${chain[@]}"; do
        # annotate train's images.csv: each Fashion-MNIST image of fv.h5 with its class as label and concept, every
        # 4th image a test image.
        [ "$s" != annotate-train ] || h5dump -d labels "$ref/fv/fv.h5" | "$python" -c '
import re, sys
text = sys.stdin.read()
data = text[text.index("DATA {") + 6:]
data = data[:data.index("}")]
labels = [int(v) for v in re.findall(r"(?<![(\d])(\d+)(?![\d)])", data)]
print("path,labels,split,concepts,tags")
for i, c in enumerate(labels):
    split = "test" if i % 4 == 0 else "train"
    print(f"train/{i:06d},c{c},{split},c{c},")' >"$ref/fv/images.csv"
        begin=$(date +%s.%N)
        start "$np" "$s" "$ref/${folder[$s]}" "$ref/$s.log"; wait $! || { fail "reference $s -np $np failed: $(tail -2 "$ref/$s.log")"; continue; }
        took[$s]=$(echo "$(date +%s.%N) - $begin" | bc)
        say "reference -np $np $s: ${took[$s]} s"
    done
    mv "$at" "$work/ref-np$np"; ref="$work/ref-np$np"
    for s in $stages; do
        for f in $moments; do
            case="$work/np$np-$s-$f"; rm -rf "$case" "$at"; cp -r "$ref" "$at"
            d="$at/${folder[$s]}"
            # Remove S's outputs and every later stage's in the same folder.
            later=0
            for t in "${chain[@]}"; do
                [ "$t" = "$s" ] && later=1
                if [ "$later" = 1 ] && [ "${folder[$t]}" = "${folder[$s]}" ]; then
                    for o in ${outputs[$t]}; do rm -rf "${d:?}/$o"; done
                fi
            done
            delay=$(echo "${took[$s]} * $f" | bc -l)
            start "$np" "$s" "$d" "$at/killed.log"; group=$!
            sleep "$delay"
            if kill -0 "$group" 2>/dev/null; then
                # The group, and every descendant by id (mpirun may give its ranks their own groups).
                pids=("$group"); i=0
                while [ "$i" -lt "${#pids[@]}" ]; do
                    while read -r child; do pids+=("$child"); done < <(pgrep -P "${pids[$i]}" || true)
                    i=$((i + 1))
                done
                kill -KILL -- "-$group" 2>/dev/null || true
                kill -KILL "${pids[@]}" 2>/dev/null || true
                landed=killed
            else
                landed="finished first"
            fi
            wait "$group" 2>/dev/null || true
            resume=()
            if [ "$s" = train-text ] && [ -n "$(ls -A "$d/checkpoints" 2>/dev/null)" ]; then resume=(--resume); fi
            # shellcheck disable=SC2046
            if ! timeout --kill-after=10 "$limit" bash "$launch/run.sh" -n "$np" --threads 1 --bind none -- \
                    $(command_of "$s" "$d") "${resume[@]}" >"$at/resumed.log" 2>&1; then
                fail "$s -np $np at $f: the resumed run failed: $(tail -2 "$at/resumed.log")"
                rows+=("| $s | $f × ${took[$s]} s | $np | $landed | — | resumed run FAILED |"); mv "$at" "$case"; continue
            fi
            # S's outputs: the same files as the reference's, each with the same dump.
            same=0; total=0; different=()
            listing() { (cd "$1" && for o in ${outputs[$s]}; do [ -e "$o" ] && [ "$o" != checkpoints ] && find "$o" -name '*.h5' ! -name '*.tmp-*'; done | sort); }
            ref_d="$ref/${folder[$s]}"
            [ "$(listing "$d")" = "$(listing "$ref_d")" ] || different+=("file set: $(listing "$d" | tr '\n' ' ')")
            while IFS= read -r rel; do
                [ -n "$rel" ] || continue
                total=$((total + 1))
                if [ -f "$ref_d/$rel" ] && cmp -s <(dump "$d/$rel" "$at") <(dump "$ref_d/$rel" "$at"); then same=$((same + 1)); else different+=("$rel"); fi
            done < <(listing "$d")
            verdict="identical"
            if [ "${#different[@]}" -gt 0 ]; then verdict="DIFFERENT: ${different[*]}"; fail "$s -np $np at $f: ${different[*]}"; fi
            [ "${#resume[@]}" -gt 0 ] && landed="$landed, resumed from its checkpoint"
            rows+=("| $s | $f × ${took[$s]} s | $np | $landed | $same / $total | $verdict |")
            mv "$at" "$case"
            say "${rows[-1]}"
        done
    done
done
echo
echo "| stage | kill after | ranks | kill | identical HDF5 files | result |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
finish
