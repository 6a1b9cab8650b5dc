//! `aether bulk FILE.csv [--dry-run] [--json]` against an emulator: the per-row table, JSON,
//! exit 1 when any row failed, and a malformed file named by its line.

use crate::common::Emulator;

fn csv_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("posts.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_good_file_prints_one_line_per_row_and_exits_0() {
    let emulator = Emulator::start();
    let li = emulator.profile("linkedin", "standard");
    let dir = tempfile::tempdir().unwrap();
    let path =
        csv_file(&dir, &format!("text,profileIds\n\"Hello, world\",{li}\n\"two\nlines\",{li}\n"));

    let dry = emulator.aether(&["bulk", &path, "--dry-run"]);
    dry.success();
    let out = dry.stdout();
    assert!(out.contains("ROW") && out.contains("LINE"), "{out}");
    assert!(out.contains("dry run: 2 rows, 2 valid, 0 would fail"), "{out}");

    let real = emulator.aether(&["bulk", &path]);
    real.success();
    let out = real.stdout();
    let rows: Vec<&str> = out.lines().filter(|l| l.contains("post_")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[1].trim_start().starts_with("2      3  created"), "{out}");
    assert!(out.contains("2 rows: 2 created, 0 failed"), "{out}");
}

#[test]
fn a_failed_row_is_shown_with_its_error_and_exits_1() {
    let emulator = Emulator::start();
    let li = emulator.profile("linkedin", "standard");
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(&dir, &format!("text,profileIds\ngood,{li}\nnobody,li_nobody\n"));

    let result = emulator.aether(&["bulk", &path]);
    result.expect(1);
    let out = result.stdout();
    assert!(out.contains("failed") && out.contains("NOT_FOUND"), "{out}");
    assert!(out.contains("2 rows: 1 created, 1 failed"), "{out}");

    let json = emulator.aether(&["bulk", &path, "--json"]);
    json.expect(1);
    let answer = json.json();
    assert_eq!(answer["failed"], 1, "{answer}");
    assert_eq!(answer["results"][1]["line"], 3);
    assert_eq!(answer["results"][1]["error"]["code"], "NOT_FOUND");
}

#[test]
fn a_malformed_file_names_its_line_and_exits_1() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let path = csv_file(&dir, "text,profileIds\nok,p\n\"never closed,p\n");
    let result = emulator.aether(&["bulk", &path]);
    result.expect(1);
    let err = result.stderr();
    assert!(err.contains("BULK_INVALID") && err.contains("line 3"), "{err}");
    let missing = emulator.aether(&["bulk", dir.path().join("nope.csv").to_str().unwrap()]);
    missing.expect(1);
    assert!(missing.stderr().contains("nope.csv"), "{}", missing.stderr());
}
