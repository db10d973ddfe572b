#!/usr/bin/env bash
# Builds the sample Windows images under examples/<scenario>/ (see examples/README.md).
#
#   fixtures/src/*.c + examples/src/pad.c --MinGW-w64--> genuine-looking connector binaries (>100 KiB)
#   fixtures/pki (test PKI)               --osslsigncode--> signed with the test "Kerio Technologies Inc." leaf
#   examples/tools/make-images.mjs        --hivexregedit--> real SOFTWARE and NTUSER.DAT hives, MAPISVC.INF,
#                                                            cache folders with Firebird header pages
#   test/helpers/sample-event-logs.ts     --test-only EVTX writer--> Windows/System32/winevt/Logs/*.evtx
#                                          (alone: bash examples/build-event-logs.sh)
#
# Debian packages: gcc-mingw-w64, osslsigncode, libwin-hivex-perl (hivexregedit). Deterministic: fixed
# link timestamps, fixed signing time, hivex output. Usage: bash examples/build.sh
set -euo pipefail
EX="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$EX/.." && pwd)"
FIX="$REPO/fixtures"
PKI="$FIX/pki"
export LC_ALL=C TZ=UTC
die() { echo "examples/build.sh: $*" >&2; exit 1; }
for tool in i686-w64-mingw32-gcc i686-w64-mingw32-windres x86_64-w64-mingw32-gcc osslsigncode hivexregedit node; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool '$tool' (apt-get install gcc-mingw-w64 osslsigncode libwin-hivex-perl)"
done
(cd "$REPO" && npx tsc -p . >/dev/null) || true
[ -f "$REPO/dist/src/registry/index.js" ] || die "build the project first (npx tsc -p .)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/koff-examples.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
BIN="$WORK/bin"
mkdir -p "$BIN"

CFLAGS=(-Os -s -Wl,--no-insert-timestamp -Wall -Wextra)
T_SIGN=1717200000 # 2024-06-01T00:00:00Z

# cc GCC NAME OUT args...: link under NAME (ld derives the DLL image base from it), copy to OUT.
cc() {
  local gcc=$1 name=$2 out=$3; shift 3
  local dir="$WORK/cc/$(basename "$out")"
  mkdir -p "$dir"
  (cd "$dir" && "$gcc" "${CFLAGS[@]}" -o "$name" "$@") || die "compile failed: $out"
  cp "$dir/$name" "$out"
}
sign() {
  osslsigncode sign -certs "$PKI/leaf-valid-chain.pem" -key "$PKI/leaf-valid.key" -h sha256 \
    -n "Kerio Outlook Connector (Offline Edition)" -time "$T_SIGN" -in "$1" -out "$2" >/dev/null \
    || die "signing failed: $2"
}

for arch in x86 x64; do
  case $arch in x86) gcc=i686-w64-mingw32-gcc; wr=i686-w64-mingw32-windres; fmt=pe-i386; kill=-Wl,--kill-at ;;
                x64) gcc=x86_64-w64-mingw32-gcc; wr=x86_64-w64-mingw32-windres; fmt=pe-x86-64; kill= ;; esac
  "$wr" -O coff -F "$fmt" -i "$FIX/src/kofmsp.rc" -o "$WORK/kofmsp-$arch.o"
  "$wr" -O coff -F "$fmt" -i "$FIX/src/kofbackend.rc" -o "$WORK/kofbackend-$arch.o"
  cc "$gcc" kofmsp32.dll "$WORK/kofmsp32-$arch.dll" -shared $kill "$FIX/src/kofmsp.c" "$EX/src/pad.c" "$WORK/kofmsp-$arch.o"
  cc "$gcc" KoffBackend.exe "$WORK/KoffBackend-$arch.exe" -mwindows "$FIX/src/kofbackend.c" "$EX/src/pad.c" "$WORK/kofbackend-$arch.o"
  sign "$WORK/kofmsp32-$arch.dll" "$BIN/kofmsp32-$arch.dll"
  sign "$WORK/KoffBackend-$arch.exe" "$BIN/KoffBackend-$arch.exe"
done
# The planted DLL matches Outlook's bitness (x86), so the scenario shows the planting alone.
cc i686-w64-mingw32-gcc kofmsp32.dll "$BIN/impostor.dll" -shared -Wl,--kill-at "$FIX/src/impostor.c" -lurlmon
openssl x509 -in "$PKI/root-ca.pem" -outform DER -out "$BIN/root-ca.der"
node "$FIX/hives/tools/write-seed.mjs" "$BIN/seed.hiv" ROOT

node "$EX/tools/make-images.mjs" "$BIN" "$EX"
bash "$EX/build-event-logs.sh"
