# Sourced by scripts/test.d/80-release.sh and by each install check (so that one also runs
# alone): PATH_WITHOUT_RUST is PATH without the folders that hold cargo, rustc or rustup, the
# PATH of a user without a Rust toolchain.
if [[ -z ${PATH_WITHOUT_RUST:-} ]]; then
  IFS=: read -ra _path_dirs <<<"$PATH"
  for _path_dir in "${_path_dirs[@]}"; do
    [[ -x $_path_dir/cargo || -x $_path_dir/rustc || -x $_path_dir/rustup ]] && continue
    PATH_WITHOUT_RUST=${PATH_WITHOUT_RUST:+$PATH_WITHOUT_RUST:}$_path_dir
  done
  unset _path_dirs _path_dir
fi
export PATH_WITHOUT_RUST
