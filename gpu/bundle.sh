#!/usr/bin/env bash
# Makes what gpu/check.sh needs on a GPU machine that has Python torch but no Java, Maven or Spark, small enough to
# copy there (about 35 MB):
#
#   gpu/bundle.sh [OUT]        (default target/gpu-bundle; needs the build's Maven repository and ../shared/data)
#
#   OUT/runtime.tgz   a Java runtime (jlink) with only the modules the inference classes and DJL use
#   OUT/lib/          the project's classes and the jars they need to score without Spark: DJL's api, PyTorch engine,
#                     pytorch-jni (its JNI for CPU and for CUDA 12.8, no libtorch: the machine's torch/lib is used)
#                     and tokenizers, with the native libraries of other platforms left out; Typesafe Config for
#                     the model settings' defaults (defaults.conf); slf4j-simple logs
#   OUT/texts/        1,000 IMDB train reviews (every 25th) and 4,210 SST-2 train phrases (every 16th), one per line
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/target/gpu-bundle}
rm -rf "$out"
mkdir -p "$out/lib" "$out/texts"
out=$(cd "$out" && pwd)  # absolute: Maven resolves a relative output folder against the module
cd "$repo"

mvn -B -q -pl pipeline -am package -DskipTests -Dmaven.javadoc.skip=true
cp pipeline/target/reviewscore-pipeline-*-SNAPSHOT.jar "$out/lib/reviewscore.jar"
mvn -B -q -pl pipeline dependency:copy-dependencies -DincludeScope=compile -DoutputDirectory="$out/all" \
    -DincludeArtifactIds=api,pytorch-engine,pytorch-jni,tokenizers,jna,gson,commons-compress,slf4j-api,jackson-databind,jackson-annotations,jackson-core,config
mvn -B -q dependency:copy -Dartifact=org.slf4j:slf4j-simple:2.0.16 -DoutputDirectory="$out/all"

# Keeps every jar's classes and only the linux-x86_64 native libraries.
/usr/bin/python3 - "$out/all" "$out/lib" <<'EOF'
import os, re, sys, zipfile
source, target = sys.argv[1], sys.argv[2]
native = re.compile(r"\.(so|dylib|dll|jnilib|a)$")
for name in sorted(os.listdir(source)):
    with zipfile.ZipFile(os.path.join(source, name)) as jar, \
            zipfile.ZipFile(os.path.join(target, name), "w", zipfile.ZIP_DEFLATED) as kept:
        for entry in jar.infolist():
            if native.search(entry.filename) and not re.search(r"linux-x86[-_]64", entry.filename):
                continue
            kept.writestr(entry, jar.read(entry.filename))
EOF
rm -rf "$out/all"
for name in api pytorch-engine pytorch-jni tokenizers jna gson commons-compress slf4j-api slf4j-simple jackson-core \
        jackson-databind jackson-annotations config; do
    compgen -G "$out/lib/$name-[0-9]*.jar" > /dev/null || { echo "gpu/bundle.sh: no $name jar in $out/lib" >&2; exit 1; }
done

modules=java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/runtime"
tar -czf "$out/runtime.tgz" -C "$out" runtime
rm -rf "$out/runtime"

/usr/bin/python3 - "$repo/../shared/data" "$out/texts" <<'EOF'
import csv, os, sys
data, target = sys.argv[1], sys.argv[2]
def texts(name, every):
    with open(os.path.join(data, name), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [" ".join(row["text"].split()) for row in rows[::every]]
for name, file, every in (("imdb.txt", "imdb_aclImdb_v1_train.csv", 25), ("sst2.txt", "sst2_glue_train.csv", 16)):
    chosen = texts(file, every)
    with open(os.path.join(target, name), "w", encoding="utf-8") as f:
        f.write("\n".join(chosen) + "\n")
    print(name, len(chosen), "texts")
EOF
du -sh "$out"
