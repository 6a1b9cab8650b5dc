#!/usr/bin/env bash
# One version (issue 19): the workspace version ([workspace.package] in Cargo.toml) is the
# version of every artifact in dist/ and of every manifest. Fails naming each disagreement:
#   dist/  aether-<v>.crate               its Cargo.toml
#          libaether-<v>-x86_64-linux-gnu.tar.gz   lib/pkgconfig/aether.pc's Version, the
#                                          header's AETHER_VERSION_{STRING,MAJOR,MINOR,PATCH},
#                                          lib/libaether.so.<v>
#          aether-cli-<v>-x86_64-linux-gnu.tar.gz  `bin/aether --version`
#          aether-<v>-cp*-abi3-manylinux*.whl      *.dist-info/METADATA's Version
#          aether-<v>.tar.gz (sdist)               PKG-INFO's Version
#          aether-<v>.tgz (npm)                    package/package.json's version, and its
#                                                  optionalDependencies pinned to <v>
#          aether-linux-x64-gnu-<v>.tgz (npm)      package/package.json's version
#   tree   every workspace member's Cargo.toml, bindings-node/package.json, include/aether.h,
#          CHANGELOG.md's latest release heading
# Every artifact above is required: a missing one is a failure too. Artifacts are found by
# version-agnostic names, so one built with another version is reported as such, not as
# missing. Before the real check, a self-test: a copy of dist/ whose aether.pc says another
# version must fail, naming aether.pc.
#   tests/install/version.sh [DIST]       (default: dist)
set -euo pipefail
cd "$(dirname "$0")/../.."
dist=${1:-dist}
work=target/install-check/version
rm -rf "$work"
mkdir -p "$work"

check() { python3 - "$@" <<'PY'
import glob, io, json, os, re, subprocess, sys, tarfile, tempfile, tomllib, zipfile

dist, only_present = sys.argv[1], sys.argv[2] == "only-present"
with open("Cargo.toml", "rb") as f:
    workspace = tomllib.load(f)
version = workspace["workspace"]["package"]["version"]
major, minor, patch = re.match(r"(\d+)\.(\d+)\.(\d+)", version).groups()
problems, checked = [], []

def expect(what, found):
    checked.append(what)
    if found != version:
        problems.append(f"{what} says {found!r}, the workspace {version!r}")

def one(pattern, exclude=None):
    """The artifact matching pattern (a glob in dist), or None after reporting it missing."""
    found = [p for p in sorted(glob.glob(os.path.join(dist, pattern)))
             if not (exclude and re.search(exclude, os.path.basename(p)))]
    if not found:
        if not only_present:
            problems.append(f"missing in {dist}/: {pattern}")
        return None
    if len(found) > 1:
        problems.append(f"several artifacts match {pattern}: {', '.join(found)}")
    return found[0]

def name_version(path, regex):
    match = re.fullmatch(regex, os.path.basename(path))
    expect(f"the file name {os.path.basename(path)}", match.group(1) if match else "?")

def tar_texts(path, *suffixes):
    """One pass over a tarball: the text of the first member ending with each suffix (None
    when absent, reported), and every member's name."""
    texts, names = dict.fromkeys(suffixes), []
    with tarfile.open(path, "r|gz") as tar:
        for member in tar:
            names.append(member.name)
            for suffix in suffixes:
                if texts[suffix] is None and member.isfile() and member.name.endswith(suffix):
                    texts[suffix] = tar.extractfile(member).read().decode()
    for suffix, text in texts.items():
        if text is None:
            problems.append(f"{os.path.basename(path)} has no */{suffix.lstrip('/')}")
    return [texts[suffix] for suffix in suffixes], names

def tar_member(path, suffix):
    return tar_texts(path, suffix)[0][0]

def field(text, regex, what):
    match = re.search(regex, text or "", re.M)
    return match.group(1) if match else f"(no {what})"

# Rust crate
if crate := one("aether-[0-9]*.crate"):
    name_version(crate, r"aether-(.+)\.crate")
    manifest = tar_member(crate, "/Cargo.toml")
    if manifest is not None:
        expect("the crate's Cargo.toml", tomllib.loads(manifest)["package"]["version"])

# C tarball
if c := one("libaether-*-x86_64-linux-gnu.tar.gz"):
    name_version(c, r"libaether-(.+)-x86_64-linux-gnu\.tar\.gz")
    (pc, header), names = tar_texts(c, "/lib/pkgconfig/aether.pc", "/include/aether.h")
    expect("aether.pc's Version (C tarball)", field(pc, r"^Version:\s*(\S+)", "Version"))
    expect("aether.h's AETHER_VERSION_STRING (C tarball)",
           field(header, r'^#define AETHER_VERSION_STRING "(.*)"', "AETHER_VERSION_STRING"))
    parts = [field(header, rf"^#define AETHER_VERSION_{p} (\d+)", p) for p in ("MAJOR", "MINOR", "PATCH")]
    expect("aether.h's AETHER_VERSION_MAJOR.MINOR.PATCH (C tarball)", ".".join(parts))
    libs = [os.path.basename(n) for n in names if re.search(r"/lib/libaether\.so\.\d+\.\d+\.\d+$", n)]
    expect("the library file name (C tarball)", libs[0][len("libaether.so."):] if libs else "(none)")

# CLI tarball: run the binary
if cli := one("aether-cli-*-x86_64-linux-gnu.tar.gz"):
    name_version(cli, r"aether-cli-(.+)-x86_64-linux-gnu\.tar\.gz")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(cli, "r|gz") as tar:
        binary = None
        for member in tar:
            if member.isfile() and member.name.endswith("/bin/aether"):
                tar.extract(member, tmp)
                binary = os.path.join(tmp, member.name)
                break
        if binary is None:
            problems.append(f"{os.path.basename(cli)} has no bin/aether")
        else:
            out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
            expect("`aether --version` (CLI tarball)", field(out, r"^aether (\S+)", "version"))

# Python wheel and sdist
if wheel := one("aether-*-cp*-abi3-manylinux*.whl"):
    name_version(wheel, r"aether-([^-]+)-cp.*\.whl")
    with zipfile.ZipFile(wheel) as z:
        metadata = next((n for n in z.namelist() if n.endswith(".dist-info/METADATA")), None)
        text = z.read(metadata).decode() if metadata else None
    expect("the wheel's METADATA Version", field(text, r"^Version:\s*(\S+)", "Version"))
if sdist := one("aether-[0-9]*.tar.gz"):
    name_version(sdist, r"aether-(.+)\.tar\.gz")
    expect("the sdist's PKG-INFO Version",
           field(tar_member(sdist, "/PKG-INFO"), r"^Version:\s*(\S+)", "Version"))

# npm packages
if npm := one("aether-[0-9]*.tgz"):
    name_version(npm, r"aether-(.+)\.tgz")
    package = json.loads(tar_member(npm, "package/package.json") or "{}")
    expect("package.json's version (npm aether)", package.get("version"))
    pins = package.get("optionalDependencies") or {}
    if not pins:
        problems.append("the npm package aether has no optionalDependencies (the platform package)")
    for name, pin in pins.items():
        expect(f"the npm package's optionalDependencies[{name}]", pin)
if platform := one("aether-linux-x64-gnu-*.tgz"):
    name_version(platform, r"aether-linux-x64-gnu-(.+)\.tgz")
    package = json.loads(tar_member(platform, "package/package.json") or "{}")
    expect("package.json's version (npm aether-linux-x64-gnu)", package.get("version"))

# The tree
for member in workspace["workspace"]["members"]:
    with open(os.path.join(member, "Cargo.toml"), "rb") as f:
        declared = tomllib.load(f)["package"].get("version", version)
    if declared != {"workspace": True}:
        expect(f"{member}/Cargo.toml", declared)
with open("bindings-node/package.json") as f:
    expect("bindings-node/package.json", json.load(f)["version"])
with open("include/aether.h") as f:
    expect("include/aether.h's AETHER_VERSION_STRING",
           field(f.read(), r'^#define AETHER_VERSION_STRING "(.*)"', "AETHER_VERSION_STRING"))
with open("CHANGELOG.md") as f:
    expect("CHANGELOG.md's latest release",
           field(f.read(), r"^## \[(\d[^\]]*)\]", "release heading ## [x.y.z]"))

if problems:
    print(f"versions: {len(problems)} problem(s) (workspace version {version}):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    sys.exit(1)
print(f"versions: {len(checked)} places say {version}")
PY
}

# Self-test: another version in aether.pc must be caught and named.
c_tarball=$(find "$dist" -maxdepth 1 -name 'libaether-*-x86_64-linux-gnu.tar.gz' | head -1)
if [[ -n $c_tarball ]]; then
  # Only the version-bearing files, repacked small (the whole tarball is ~100 MB unpacked).
  mkdir -p "$work/unpacked" "$work/dist"
  tar -xzf "$c_tarball" -C "$work/unpacked" --wildcards '*/lib/pkgconfig/aether.pc' \
    '*/include/aether.h'
  sed -i 's/^Version: .*/Version: 9.9.9/' "$work"/unpacked/*/lib/pkgconfig/aether.pc
  tar -czf "$work/dist/$(basename "$c_tarball")" -C "$work/unpacked" .
  if check "$work/dist" only-present 2>"$work/self-test.err" >/dev/null; then
    echo "version.sh self-test: a C tarball whose aether.pc says 9.9.9 passed" >&2
    exit 1
  fi
  grep -q "aether.pc's Version (C tarball) says '9.9.9'" "$work/self-test.err" || {
    cat "$work/self-test.err" >&2
    echo "version.sh self-test: the report above does not name aether.pc's 9.9.9" >&2
    exit 1
  }
  echo "self-test: a C tarball whose aether.pc says 9.9.9 is reported"
else
  echo "self-test skipped: no C tarball in $dist/" >&2
fi

check "$dist" all
