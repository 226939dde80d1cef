#!/usr/bin/env bash
# The predictor on a GPU, through the project's own classes, against Python torch on the same GPU.
#
#   gpu/check.sh BUNDLE [OUT]          on a Linux machine with an NVIDIA GPU and Python torch (CUDA)
#   gpu/check.sh --cpu BUNDLE [OUT]    the same steps on a CPU: a 2 x 128 export, 48 reviews and 200 phrases
#                                      (a dry run, with Debian's /usr/bin/python3 torch and DJL's CPU libtorch)
#
# BUNDLE is what gpu/bundle.sh made (a Java runtime, the inference jars without a libtorch, and texts); no Java,
# Maven or Spark is needed on the machine. The script makes a BERT-base-shaped export (12 layers x 768, random
# weights) in float32 and float16 with Python torch, points DJL at that torch's own libraries
# (PYTORCH_LIBRARY_PATH=torch/lib, with the CUDA JNI DJL's pytorch-jni jar carries), runs DeviceBenchmark on them
# (IMDB reviews at up to 512 tokens and SST-2 phrases; batch 8, 32 and 128; bucketing on and off), runs the same
# batches in Python torch, and prints the table BENCHMARKS.md "On a GPU" holds. Results and logs go to OUT
# (default: $OUT when set, else ./gpu-check).
set -euo pipefail

cpu=false
cuda_libs=
if [[ "${1:-}" == "--cpu" ]]; then
    cpu=true
    shift
fi
bundle=$(cd "${1:?usage: gpu/check.sh [--cpu] BUNDLE [OUT]}" && pwd)
out=${2:-${OUT:-gpu-check}}
mkdir -p "$out"
out=$(cd "$out" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if $cpu; then
    python=${PYTHON:-/usr/bin/python3}
    device=cpu
    name=bert-tiny
    shape=(--layers 2 --hidden 128 --heads 2)
    texts=(48 200)
    dtypes=(float32)
    matmul=1024
    flavor=cpu
    # DJL's own CPU libtorch 2.7.1, as the job's first run extracts it from the pytorch-native-cpu jar
    torch_lib=${PYTORCH_LIBRARY_PATH:-$(ls -d "${DJL_CACHE_DIR:-$HOME/.djl.ai}"/pytorch/2.7.1-*cpu-linux-x86_64 | head -1)}
else
    python=${PYTHON:-python3}
    device=cuda
    name=bert-base
    shape=(--layers 12 --hidden 768 --heads 12)
    texts=(1000 4210)
    dtypes=(float32 float16)
    matmul=8192
    flavor=cu128
    torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
    # a pip torch keeps the CUDA runtime and libraries in nvidia/*/lib beside it (libcudart.so.12, ...)
    cuda_libs=$("$python" -c 'import glob, os, torch
root = os.path.dirname(os.path.dirname(torch.__file__))
print(":".join(sorted(glob.glob(os.path.join(root, "nvidia", "*", "lib")))))')
fi
echo "== machine"
"$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPUs", torch.cuda.device_count(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
echo "libtorch for DJL: $torch_lib"

echo "== exports"
for dtype in "${dtypes[@]}"; do
    "$python" "$repo/models/build/make_bert_shaped_model.py" "${shape[@]}" --name "$name" --dtype "$dtype" \
        --device "$device" --out "$work/exports/$name-$dtype"
done

echo "== JVM: DeviceBenchmark"
tar -xzf "$bundle/runtime.tgz" -C "$work"
export PYTORCH_LIBRARY_PATH=$torch_lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=$flavor
export DJL_OFFLINE=true OPT_OUT_TRACKING=true DJL_CACHE_DIR=$work/djl ENGINE_CACHE_DIR=$work/djl
# DJL finds GPUs through the CUDA runtime, which JNA looks up on jna.library.path (CudaUtils.loadLibrary)
native_path=$torch_lib${cuda_libs:+:$cuda_libs}
export LD_LIBRARY_PATH=$native_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
mkdir -p "$work/texts"
head -n "${texts[0]}" "$bundle/texts/imdb.txt" > "$work/texts/imdb.txt"
head -n "${texts[1]}" "$bundle/texts/sst2.txt" > "$work/texts/sst2.txt"
sets="imdb=$work/texts/imdb.txt,sst2=$work/texts/sst2.txt"
# which libtorch, JNI and CUDA DJL found is what this check is about: its log at INFO
logging=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.dev.reviewscore=info
         -Dorg.slf4j.simpleLogger.log.ai.djl=info -Dorg.slf4j.simpleLogger.showDateTime=true)
rm -f "$out/results.jsonl" "$out/jvm.log"
for dtype in "${dtypes[@]}"; do
    "$work/runtime/bin/java" -Xmx8g "${logging[@]}" -Djna.library.path="$native_path" -cp "$bundle/lib/*" dev.reviewscore.bench.DeviceBenchmark \
        --model "$work/exports/$name-$dtype" --device "${device/cuda/gpu}" --texts "$sets" \
        --reference "$work/exports/$name-float32" --out "$out/results.jsonl" 2>&1 | tee -a "$out/jvm.log"
done

echo "== Python torch on the same batches, and the table"
"$python" "$repo/gpu/torch_check.py" --results "$out/results.jsonl" --exports "$work/exports" --device "$device" \
    --matmul "$matmul" | tee "$out/table.md"
