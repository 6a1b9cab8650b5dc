//! Gives libaether.so its soname, so programs record `libaether.so.<major>` (the name a
//! package manager keeps stable across compatible releases) instead of the bare development
//! symlink `libaether.so`.
//!
//! Before 1.0 the soname is `libaether.so.0` for every 0.x release, as for most 0.x C
//! libraries: the soname's number is an ABI generation, not the package version, and bumping it
//! on every 0.(x+1) would make every minor release a new library name for distributions. The
//! CMake config's version file is what refuses a different 0.x (same major.minor only); the
//! real file in the C tarball is libaether.so.<version>, with libaether.so.0 and libaether.so
//! as symlinks (bindings-c/install.sh).
use std::path::Path;

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".to_owned());
    let soname = format!("libaether.so.{major}");
    // Only the cdylib is linked with this argument; the staticlib is an archive.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    println!("cargo:rerun-if-changed=build.rs");

    // A program linked against target/<profile>/libaether.so (the tests, `-L target/release
    // -laether` without installing) asks the loader for the soname: the symlink next to it
    // answers. OUT_DIR is <target>/<profile>/build/aether-c-<hash>/out. Best effort: a missing
    // link only matters to programs run from the build tree.
    let Some(out_dir) = std::env::var_os("OUT_DIR") else { return };
    if let Some(profile_dir) = Path::new(&out_dir).ancestors().nth(3) {
        let link = profile_dir.join(&soname);
        if std::fs::read_link(&link).is_err() {
            let _ = std::fs::remove_file(&link);
            #[cfg(unix)]
            let _ = std::os::unix::fs::symlink("libaether.so", &link);
        }
    }
}
