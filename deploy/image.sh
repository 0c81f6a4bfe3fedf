#!/usr/bin/env bash
# Builds the ovserve container image as an OCI tarball without a Docker daemon or a registry:
#   server/target/ovserve-image.tar  (load it with `docker load` / `podman load`, or push it with crane/skopeo)
# Jib (Maven plugin, profile `image` of server/) puts the server jar and its dependencies on top of
# `scratch` plus server/target/image-root, staged here from this machine:
#   /opt/java                      a JRE jlinked from the JDK 25 the build uses
#   /opt/ovserve/openvino/libs     the OpenVINO runtime (.ovserve/openvino/libs)
#   /opt/ovserve/native            the PagedAttention helper (.ovserve/native)
#   /lib/x86_64-linux-gnu, /lib64  glibc, libstdc++ and libgcc_s the JRE and OpenVINO link against
#   /etc/passwd, /etc/group        the non-root user ovserve (10001)
#   /tmp, /models                  scratch space and the model volume
# Then the image is checked by ImageTarballTest (entrypoint, user, port, libraries) and, as root,
# by running `ovserve --help` in a chroot of its unpacked layers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/env.sh"
cd "$root"
start=$(date +%s)
./mvnw -B -q -pl server -am install -DskipTests

stage="$root/server/target/image-root"
rm -rf "$stage"
mkdir -p "$stage/opt/ovserve" "$stage/lib/x86_64-linux-gnu" "$stage/lib64" "$stage/etc" "$stage/tmp" "$stage/models"
echo "image: jlink"
jlink --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,java.scripting,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --output "$stage/opt/java"
cp -rL "$OVSERVE_HOME/openvino" "$stage/opt/ovserve/openvino"
rm -rf "$stage/opt/ovserve/openvino/include"
cp -rL "$OVSERVE_HOME/native" "$stage/opt/ovserve/native"
# The C/C++ runtime the JRE, OpenVINO and the helper need (ldd), from this machine's Debian.
for lib in $( (ldd "$stage/opt/java/bin/java" "$stage/opt/java/lib/server/libjvm.so" "$stage"/opt/java/lib/*.so \
    "$stage"/opt/ovserve/openvino/libs/*.so* "$stage"/opt/ovserve/native/*.so || true) 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\/lib|^\/usr\/lib/ {print $3}' | sort -u); do
  cp -L "$lib" "$stage/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
printf 'root:x:0:0::/:/sbin/nologin\novserve:x:10001:10001::/tmp:/sbin/nologin\n' > "$stage/etc/passwd"
printf 'root:x:0:\novserve:x:10001:\n' > "$stage/etc/group"

echo "image: jib:buildTar"
./mvnw -B -q -pl server -Pimage jib:buildTar
tar="$root/server/target/ovserve-image.tar"
ls -la "$tar"

echo "image: checking the tarball"
./mvnw -B -q -o -pl server surefire:test -Dtest=ImageTarballTest -Dsurefire.failIfNoSpecifiedTests=false

if [ "$(id -u)" = 0 ] && command -v chroot > /dev/null; then
  # The JVM, the jars and the tokenizer's native library, as uid 10001 with the image's entrypoint and
  # environment. (OpenVINO's CPU plugin reads /proc and /sys, which a bare chroot lacks: inference needs a
  # container runtime.)
  echo "image: random-model + convert in a chroot of the unpacked image, as the image's user"
  unpacked="$root/server/target/image-unpacked"
  rm -rf "$unpacked" && mkdir -p "$unpacked"
  python3 - "$tar" "$unpacked" <<'PY'
import json, sys, tarfile
image, out = tarfile.open(sys.argv[1]), sys.argv[2]
manifest = json.load(image.extractfile("manifest.json"))[0]
for layer in manifest["Layers"]:
    with tarfile.open(fileobj=image.extractfile(layer)) as t:
        t.extractall(out, filter="fully_trusted")
PY
  read -r -a entry < <(python3 -c "import json,sys,tarfile;t=tarfile.open(sys.argv[1]);m=json.load(t.extractfile('manifest.json'))[0];c=json.load(t.extractfile(m['Config']));print(' '.join(c['config']['Entrypoint']))" "$tar")
  mapfile -t envs < <(python3 -c "import json,sys,tarfile;t=tarfile.open(sys.argv[1]);m=json.load(t.extractfile('manifest.json'))[0];c=json.load(t.extractfile(m['Config']));print('\n'.join(c['config']['Env']))" "$tar")
  in_image() { env -i "${envs[@]}" "$(command -v chroot)" --userspec=10001:10001 "$unpacked" "${entry[@]}" "$@"; }
  in_image random-model --out /tmp/hf --layers 2 --heads 4 --hidden 64 --vocab 384 --context 128 --tokenizer bytes
  in_image convert --in /tmp/hf --out /tmp/ir --weights fp32
fi
echo "image: done in $(( $(date +%s) - start )) s"
