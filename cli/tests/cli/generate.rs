//! `aether completions SHELL` and the hidden `aether man DIR`, which the CLI tarball ships
//! (scripts/release.d/50-cli.sh): generated from the command line itself, so every subcommand
//! a user can type is in them.

use crate::common::run;

/// The subcommands of `aether --help`.
const SUBCOMMANDS: &[&str] = &[
    "demo",
    "connect",
    "profiles",
    "upload",
    "post",
    "bulk",
    "status",
    "validate",
    "webhooks",
    "api",
    "mock",
    "completions",
];

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for (shell, marker) in
        [("bash", "complete -F"), ("zsh", "#compdef aether"), ("fish", "complete -c aether")]
    {
        let out = run(&["completions", shell], None);
        out.success();
        let script = out.stdout();
        assert!(script.contains(marker), "{shell}: no {marker:?} in:\n{script}");
        for subcommand in SUBCOMMANDS.iter().chain(&["retry", "capabilities", "deliveries"]) {
            assert!(script.contains(subcommand), "{shell} completion lacks {subcommand}");
        }
        // Options too, global ones included (fish spells them `-l json`).
        for option in ["json", "base-url", "processing-ms"] {
            assert!(script.contains(option), "{shell} completion lacks {option}");
        }
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error_listing_the_shells() {
    let out = run(&["completions", "tcsh"], None);
    out.expect(2);
    let stderr = out.stderr();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(stderr.contains(shell), "{shell} not offered in: {stderr}");
    }
}

#[test]
fn man_pages_cover_the_command_and_each_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    run(&["man", out_dir.to_str().unwrap()], None).success();
    let main = std::fs::read_to_string(out_dir.join("aether.1")).expect("aether.1 written");
    assert!(main.starts_with(".ie") || main.contains(".TH aether 1"), "not roff: {main:.200}");
    assert!(main.contains(env!("CARGO_PKG_VERSION")), "no version in aether.1");
    for subcommand in SUBCOMMANDS {
        assert!(main.contains(subcommand), "aether.1 does not name {subcommand}");
        let page = out_dir.join(format!("aether-{subcommand}.1"));
        let text = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(text.contains(&format!("aether\\-{subcommand}")), "{page:?} lacks its name");
    }
    // Subcommands of subcommands have pages too, with their options.
    let retry = std::fs::read_to_string(out_dir.join("aether-post-retry.1")).unwrap();
    assert!(retry.contains("\\-\\-json"), "global options missing from aether-post-retry.1");
    // The hidden generator itself is not a documented command.
    assert!(!out_dir.join("aether-man.1").exists(), "aether-man.1 documents the hidden command");
}

#[test]
fn man_pages_into_an_impossible_folder_fail_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let target = file.join("man1");
    let out = run(&["man", target.to_str().unwrap()], None);
    out.expect(1);
    assert!(out.stderr().contains("cannot write the man pages into"), "{}", out.stderr());
    assert!(out.stderr().contains("a-file"), "{}", out.stderr());
}
