// A build script is required for cargo to consider build dependencies.
fn main() {
    // Without a rerun-if-changed, cargo fingerprints a build script by the newest mtime of the
    // package's files, and the Python sdist's files carry other mtimes than the repository's:
    // tests/install/python.sh would rebuild this, the emulator and the extension.
    println!("cargo:rerun-if-changed=build.rs");
}
