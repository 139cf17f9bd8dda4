#!/usr/bin/env bash
# The side-by-side recipe study behind FINDINGS.md (issue 4): short runs of the same data and tokenizer,
# compared by optimizer steps / tokens, each followed by `parley eval --limit 20`. Run from the repo root:
#   PARLEY_THREADS=1 bash src/training/studies/recipe-study.sh /tmp/study    (~45 min with 2 runs at a time)
# Runs (all batch 16 x ctx 192 = 3,072 tokens per step, seed 1 unless noted):
#   A  SFT only from random init, 4x128 model (1.25 M params), 300 steps, lr 3e-3
#   B  pretrain 150 steps (prose) -> SFT 150 steps, same model and total tokens as A
#   C  A continued: one more SFT run of 300 steps at lr 2e-3 (3 epochs of the demonstrations in all)
#   D  B's pretraining continued +300, +300 steps (lr 2e-3), each followed by SFT 150 (eval after each)
#   E  A at lr 6e-3
#   F  deep and narrow at the same size: 8x96 (1.2 M params), otherwise as A
#   G  the default preset's shape 6x256 (5.5 M params), otherwise as A
set -euo pipefail
OUT=${1:?usage: recipe-study.sh OUT_DIR}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
P="npx --prefix $ROOT tsx $ROOT/src/cli/main.ts"
export PARLEY_THREADS=${PARLEY_THREADS:-1}
mkdir -p "$OUT" && cd "$OUT"
[ -f d1/tokenizer/tokenizer.json ] || $P pipeline --out d1 --preset default --stop-after tokenizer
DATA=d1/data; TOK=d1/tokenizer; X=x; mkdir -p $X
ev() { $P eval --model $X/$1 --data $DATA/eval.jsonl --limit 20 --max-tokens 48 --json > $X/$1-eval.json 2>/dev/null; }
init() { # init NAME shape-flags...: a random-init checkpoint (one step at lr 1e-8)
  local name=$1; shift
  $P train pretrain --data $DATA/pretrain.txt --tokenizer $TOK --out $X/$name "$@" --steps 1 --lr 1e-8 --warmup 1 --ctx 192 --batch 16
}
sft() { # sft FROM OUT STEPS LR WARMUP [SEED]
  $P train sft --model $X/$1 --data $DATA/sft.jsonl --out $X/$2 --steps $3 --lr $4 --warmup $5 --ctx 192 --batch 16 --seed ${6:-1} --metrics $X/$2.jsonl
}
pre() { # pre FROM|"" OUT STEPS LR WARMUP [SEED]
  local from=(); [ -n "$1" ] && from=(--model $X/$1) || from=(--tokenizer $TOK)
  $P train pretrain "${from[@]}" --data $DATA/pretrain.txt --out $X/$2 --steps $3 --lr $4 --warmup $5 --ctx 192 --batch 16 --seed ${6:-1} --metrics $X/$2.jsonl
}

init init-s
( sft init-s A-sft300 300 3e-3 20 && ev A-sft300
  prev=A-sft300; for i in 2; do sft $prev C-seg$i 300 2e-3 10 $i && ev C-seg$i; prev=C-seg$i; done ) &
( pre "" B-pre150 150 3e-3 15 && sft B-pre150 B-sft150 150 3e-3 10 && ev B-sft150
  prev=B-pre150; for i in 2 3; do pre $prev D-pre$i 300 2e-3 10 $i && sft D-pre$i D-sft$i 150 3e-3 10 && ev D-sft$i; prev=D-pre$i; done ) &
wait
( sft init-s E-sft300-lr6 300 6e-3 20 && ev E-sft300-lr6 ) &
( init init-deep --layers 8 --dim 96 --heads 4 --kv-heads 2 --ffn 256 && sft init-deep F-deep-sft300 300 3e-3 20 && ev F-deep-sft300 ) &
wait
init init-def --layers 6 --dim 256 --heads 8 --kv-heads 4 --ffn 704 && sft init-def G-def-sft300 300 3e-3 20 && ev G-def-sft300
npx --prefix "$ROOT" tsx "$ROOT/src/training/studies/summarize.ts" $X/*-eval.json
# the same checkpoints at --limit 50 (less noisy)
mkdir -p $X/l50
for m in A-sft300 C-seg2 D-sft2 D-sft3; do $P eval --model $X/$m --data $DATA/eval.jsonl --limit 50 --max-tokens 48 --json > $X/l50/$m-eval.json 2>/dev/null; done
npx --prefix "$ROOT" tsx "$ROOT/src/training/studies/summarize.ts" $X/l50/*-eval.json
