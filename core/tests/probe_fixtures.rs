//! The probe against real media (tests/fixtures/media, made by scripts/make-fixtures.sh and
//! described by its manifest.json, which records what ffprobe says), and against hostile input:
//! random bytes, every prefix of every fixture, absurd box sizes, deep nesting, huge declared
//! counts, and a sparse 4 GB file that must be probed by seeking, not reading.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use aether::probe::{probe, probe_path, Container, MediaFacts, MediaKind, ProbeError, VideoCodec};
use aether::ErrorCode;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Largest single allocation, per thread: proves that sizes read from a file never size a buffer.

struct TrackingAllocator;

thread_local! {
    static LARGEST_ALLOCATION: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation(size: usize) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = LARGEST_ALLOCATION.try_with(|largest| largest.set(largest.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the only addition is a
// thread-local counter that never allocates.
unsafe impl GlobalAlloc for TrackingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: TrackingAllocator = TrackingAllocator;

/// Probes `data` and returns the result with the largest single allocation made meanwhile.
fn probe_bytes(data: &[u8]) -> (Result<MediaFacts, ProbeError>, usize) {
    LARGEST_ALLOCATION.with(|largest| largest.set(0));
    let result = probe(Cursor::new(data), data.len() as u64);
    (result, LARGEST_ALLOCATION.with(Cell::get))
}

/// Probes hostile `data`: whatever the answer, it must come without a panic and without any
/// allocation much larger than the input.
fn probe_hostile(data: &[u8]) -> Result<MediaFacts, ProbeError> {
    let (result, largest) = probe_bytes(data);
    assert!(
        largest <= data.len() + 64 * 1024,
        "an allocation of {largest} bytes while probing {} bytes",
        data.len()
    );
    result
}

fn reason(result: Result<MediaFacts, ProbeError>) -> String {
    match result {
        Ok(facts) => panic!("expected an error, got {facts:?}"),
        Err(err) => {
            assert_eq!(err.code(), ErrorCode::UnsupportedMediaType, "{err}");
            err.to_string()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fixtures against the manifest.

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media")
}

fn manifest() -> Vec<Value> {
    let text = fs::read_to_string(fixtures_dir().join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    manifest["files"].as_array().expect("files").clone()
}

/// ffprobe's codec names in the probe's vocabulary.
fn codec_from_ffprobe(name: &str) -> VideoCodec {
    match name {
        "hevc" => VideoCodec::H265,
        other => VideoCodec::parse(other),
    }
}

#[test]
fn every_fixture_probes_as_ffprobe_says() {
    let files = manifest();
    assert!(files.len() >= 20, "the manifest lists {} files", files.len());
    for entry in &files {
        let name = entry["file"].as_str().unwrap();
        let path = fixtures_dir().join(name);
        let ffprobe = &entry["ffprobe"];
        let expect = &entry["expect"];
        let result = probe_path(&path);
        if expect["outcome"] == "error" {
            let err = result.expect_err(name);
            assert_eq!(err.code().as_str(), expect["code"].as_str().unwrap(), "{name}: {err}");
            let wanted = expect["reasonContains"].as_str().unwrap();
            assert!(err.to_string().contains(wanted), "{name}: {err:?} lacks {wanted:?}");
            continue;
        }
        let facts = result.unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(facts.container.as_str(), expect["container"].as_str().unwrap(), "{name}");
        assert_eq!(facts.kind.as_str(), expect["kind"].as_str().unwrap(), "{name}");
        assert_eq!(facts.size, entry["size"].as_u64().unwrap(), "{name}");
        if facts.kind != MediaKind::Audio {
            assert_eq!(facts.width, ffprobe["width"].as_u64().map(|w| w as u32), "{name}");
            assert_eq!(facts.height, ffprobe["height"].as_u64().map(|h| h as u32), "{name}");
        }
        if facts.kind == MediaKind::Image {
            assert_eq!((facts.duration_ms, &facts.video_codec), (None, &None), "{name}");
            continue;
        }
        let codec = ffprobe["videoCodec"].as_str().map(codec_from_ffprobe);
        assert_eq!(facts.video_codec, codec, "{name}");
        assert_eq!(facts.audio_codec.as_deref(), ffprobe["audioCodec"].as_str(), "{name}");
        let want = ffprobe["durationMs"].as_u64().unwrap();
        let got = facts.duration_ms.unwrap_or_else(|| panic!("{name}: no duration"));
        assert!(got.abs_diff(want) <= 10, "{name}: duration {got} ms, ffprobe says {want} ms");
    }
}

#[test]
fn the_fixtures_cover_what_the_rules_need() {
    let files = manifest();
    let has = |name: &str| files.iter().any(|f| f["file"] == name);
    for name in [
        "h264_14.9s.mp4",
        "h264_15s.mp4",
        "h264_60s.mp4",
        "h264_60.1s.mp4",
        "h264_600s.mp4",
        "h264_601s.mp4",
        "h264_fragmented_21s.mp4",
        "h264_aac_moov_at_end.mp4",
        "h264_aac_faststart.mp4",
        "aac_audio_only_12s.m4a",
        "vp9_opus_18s.webm",
        "truncated_faststart.mp4",
        "random.bin",
        "image.jpg",
        "image.png",
        "image.gif",
    ] {
        assert!(has(name), "missing fixture {name}");
    }
    let total: u64 = files.iter().map(|f| f["size"].as_u64().unwrap()).sum();
    assert!(total < 3 << 20, "fixtures take {total} bytes");
}

#[test]
fn probing_a_reader_equals_probing_the_path() {
    let path = fixtures_dir().join("h265_hev1_aac_30s.mp4");
    let bytes = fs::read(&path).unwrap();
    let from_path = probe_path(&path).unwrap();
    let from_reader = probe(Cursor::new(&bytes), bytes.len() as u64).unwrap();
    assert_eq!(from_path, from_reader);
    assert_eq!(from_path.container, Container::Mp4);
    assert_eq!(from_path.video_codec, Some(VideoCodec::H265));
    let mov = probe_path(fixtures_dir().join("h264_aac_20s.mov")).unwrap();
    assert_eq!((mov.container, mov.audio_codec.as_deref()), (Container::Mov, Some("aac")));
}

#[test]
fn a_reader_that_holds_less_than_its_size_is_an_io_error() {
    let bytes = fs::read(fixtures_dir().join("h264_15s.mp4")).unwrap();
    let err = probe(Cursor::new(&bytes), bytes.len() as u64 + 1000).unwrap_err();
    assert_eq!(err.code(), ErrorCode::IoError, "{err}");
}

// ---------------------------------------------------------------------------------------------
// Hostile input.

/// splitmix64: a tiny deterministic PRNG, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_bytes_are_unknown_containers() {
    let mut rng = Rng(1);
    for _ in 0..2000 {
        let len = (rng.next() % 4096) as usize;
        let data = rng.bytes(len);
        let result = probe_hostile(&data);
        assert!(result.is_err(), "random bytes probed as media: {result:?}");
    }
}

#[test]
fn random_bytes_behind_every_magic_never_panic() {
    let magics: [&[u8]; 7] = [
        b"\0\0\0\x18ftypisom\0\0\0\0isommp41",
        b"\0\0\0\x14ftypqt  \0\0\0\0qt  ",
        b"\x1a\x45\xdf\xa3",
        b"\x1a\x45\xdf\xa3\x84\x42\x82\x81w",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
    ];
    let mut rng = Rng(2);
    for round in 0..3000 {
        let magic = magics[round % magics.len()];
        let mut data = magic.to_vec();
        let len = (rng.next() % 2048) as usize;
        data.extend(rng.bytes(len));
        let _ = probe_hostile(&data);
    }
}

/// Every fixture cut short at many points: never a panic, and a cut video (whose index or
/// segment size says more bytes should follow) is an error.
#[test]
fn every_prefix_of_every_fixture_is_handled() {
    for entry in manifest() {
        let name = entry["file"].as_str().unwrap();
        let bytes = fs::read(fixtures_dir().join(name)).unwrap();
        let is_video = entry["expect"]["kind"] == "video" && !name.contains("fragmented");
        let full = probe_path(fixtures_dir().join(name)).ok();
        let cuts = (0..bytes.len()).step_by(61).chain(bytes.len().saturating_sub(40)..bytes.len());
        for cut in cuts {
            let result = probe_hostile(&bytes[..cut]);
            if is_video {
                assert!(result.is_err(), "{name} cut at {cut} of {}: {result:?}", bytes.len());
            }
            if let (Ok(part), Some(full)) = (&result, &full) {
                assert!(part.duration_ms <= full.duration_ms, "{name} cut at {cut}: {part:?}");
            }
        }
    }
}

#[test]
fn fixtures_with_flipped_bytes_never_panic() {
    let mut rng = Rng(3);
    for entry in manifest() {
        let name = entry["file"].as_str().unwrap();
        let original = fs::read(fixtures_dir().join(name)).unwrap();
        for _ in 0..150 {
            let mut data = original.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() % data.len() as u64) as usize;
                data[at] = match rng.next() % 3 {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.next() as u8,
                };
            }
            let _ = probe_hostile(&data);
        }
    }
}

// A tiny MP4 writer for the hand-made cases.

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full_box(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut inner = (u32::from(version) << 24 | flags).to_be_bytes().to_vec();
    inner.extend_from_slice(body);
    mp4_box(kind, &inner)
}

fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn ftyp() -> Vec<u8> {
    mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2avc1mp41")
}

fn mvhd(timescale: u32, duration: u32) -> Vec<u8> {
    let mut body = u32s(&[0, 0, timescale, duration]);
    body.resize(96, 0);
    full_box(b"mvhd", 0, 0, &body)
}

fn tkhd(track_id: u32, width: u32, height: u32) -> Vec<u8> {
    let mut body = u32s(&[0, 0, track_id, 0, 0]);
    body.resize(72, 0);
    body.extend(u32s(&[width << 16, height << 16]));
    full_box(b"tkhd", 0, 3, &body)
}

fn avc1_entry(width: u16, height: u16) -> Vec<u8> {
    let mut body = vec![0u8; 24];
    body.extend(width.to_be_bytes());
    body.extend(height.to_be_bytes());
    body.resize(78, 0);
    mp4_box(b"avc1", &body)
}

/// A video track whose samples are described by the given sample-table boxes.
fn video_trak(tables: &[Vec<u8>]) -> Vec<u8> {
    let stsd = full_box(b"stsd", 0, 0, &[u32s(&[1]), avc1_entry(64, 112)].concat());
    let stbl = mp4_box(b"stbl", &[stsd, tables.concat()].concat());
    let mdia = mp4_box(
        b"mdia",
        &concat(&[
            full_box(b"mdhd", 0, 0, &u32s(&[0, 0, 1000, 2000, 0])),
            full_box(b"hdlr", 0, 0, &[u32s(&[0]), b"vide".to_vec(), vec![0; 13]].concat()),
            mp4_box(b"minf", &stbl),
        ]),
    );
    mp4_box(b"trak", &concat(&[tkhd(1, 64, 112), mdia]))
}

fn moov(tracks: &[Vec<u8>]) -> Vec<u8> {
    mp4_box(b"moov", &[mvhd(1000, 2000), tracks.concat()].concat())
}

/// stts + stsz (constant size) + stsc + stco: `chunks` chunks of `per_chunk` samples.
fn tables(count: u32, size: u32, per_chunk: u32, chunk_offsets: &[u32]) -> Vec<Vec<u8>> {
    vec![
        full_box(b"stts", 0, 0, &u32s(&[1, count, 1])),
        full_box(b"stsz", 0, 0, &u32s(&[size, count])),
        full_box(b"stsc", 0, 0, &u32s(&[1, 1, per_chunk, 1])),
        full_box(
            b"stco",
            0,
            0,
            &[u32s(&[chunk_offsets.len() as u32]), u32s(chunk_offsets)].concat(),
        ),
    ]
}

#[test]
fn the_hand_made_mp4_probes() {
    // ftyp (32) + mdat header (8) + 100 bytes of samples at 40.., then moov.
    let mdat = mp4_box(b"mdat", &[7u8; 100]);
    let file = concat(&[ftyp(), mdat, moov(&[video_trak(&tables(10, 10, 5, &[40, 90]))])]);
    let facts = probe_hostile(&file).unwrap();
    assert_eq!(facts.video_codec, Some(VideoCodec::H264));
    assert_eq!((facts.width, facts.height, facts.duration_ms), (Some(64), Some(112), Some(2000)));

    // The same index with the second chunk moved so that it ends 5 bytes past the file's end.
    let len = file.len() as u32;
    let mdat = mp4_box(b"mdat", &[7u8; 100]);
    let file = concat(&[ftyp(), mdat, moov(&[video_trak(&tables(10, 10, 5, &[40, len - 45]))])]);
    let reason = reason(probe_hostile(&file));
    assert!(reason.starts_with("sample data past the end of the file (truncated?)"), "{reason}");
}

#[test]
fn a_movie_without_video_or_audio_has_no_video_track() {
    let file = concat(&[ftyp(), moov(&[]), mp4_box(b"mdat", &[0; 16])]);
    assert!(reason(probe_hostile(&file)).contains("no video track"));
    let file = concat(&[ftyp(), mp4_box(b"mdat", &[0; 16])]);
    assert!(reason(probe_hostile(&file)).contains("no movie box"));
}

#[test]
fn absurd_box_sizes_are_errors() {
    let tail = moov(&[video_trak(&tables(1, 1, 1, &[0]))]);
    // size 0: the box runs to the end of the file, hiding the moov.
    let zero = concat(&[ftyp(), vec![0, 0, 0, 0], b"free".to_vec(), tail.clone()]);
    assert!(reason(probe_hostile(&zero)).contains("no movie box"));
    // size 1 with a 64-bit size smaller than its own header.
    let small =
        concat(&[ftyp(), u32s(&[1]), b"free".to_vec(), 8u64.to_be_bytes().to_vec(), tail.clone()]);
    assert!(reason(probe_hostile(&small)).contains("invalid box size"));
    // size 1 with a huge 64-bit size.
    let huge = concat(&[ftyp(), u32s(&[1]), b"moov".to_vec(), (1u64 << 62).to_be_bytes().to_vec()]);
    assert!(reason(probe_hostile(&huge)).contains("box size exceeds file"));
    let huge = concat(&[
        ftyp(),
        u32s(&[1]),
        b"free".to_vec(),
        u64::MAX.to_be_bytes().to_vec(),
        tail.clone(),
    ]);
    assert!(reason(probe_hostile(&huge)).contains("box size exceeds file"));
    // A size below the 8-byte header.
    let tiny = concat(&[ftyp(), u32s(&[7]), b"free".to_vec(), tail.clone()]);
    assert!(reason(probe_hostile(&tiny)).contains("invalid box size"));
    // A moov child larger than the moov.
    let bad_child = concat(&[
        ftyp(),
        mp4_box(b"moov", &[u32s(&[0xFFFF_FFF0]), b"trak".to_vec(), vec![0; 32]].concat()),
    ]);
    assert!(reason(probe_hostile(&bad_child)).contains("malformed 'moov' box"));
    // A moov larger than the probe reads (declared, not present: refused before allocating).
    let big_moov =
        concat(&[ftyp(), u32s(&[1]), b"moov".to_vec(), (1u64 << 40).to_be_bytes().to_vec()]);
    assert!(reason(probe_hostile(&big_moov)).contains("exceeds file"));
}

#[test]
fn a_moov_larger_than_the_cap_is_refused_before_it_is_read() {
    // A real (sparse) file, so the moov's size fits the file but not the cap.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big-moov.mp4");
    let mut file = File::create(&path).unwrap();
    let moov_len = aether::probe::MAX_MOOV_BYTES + 16 + 1;
    file.write_all(&ftyp()).unwrap();
    file.write_all(&u32s(&[1])).unwrap();
    file.write_all(b"moov").unwrap();
    file.write_all(&moov_len.to_be_bytes()).unwrap();
    file.set_len(32 + moov_len).unwrap();
    drop(file);
    let mut counted = Counting::new(File::open(&path).unwrap());
    let err = probe(&mut counted, 32 + moov_len).unwrap_err();
    assert!(err.to_string().contains("more than the"), "{err}");
    assert!(counted.bytes < 1024, "read {} bytes", counted.bytes);
}

#[test]
fn deeply_nested_boxes_are_errors_not_stack_overflows() {
    let mut nested = mp4_box(b"free", &[]);
    for depth in 0..20_000 {
        let kind = [b"trak", b"mdia", b"minf", b"stbl", b"moov"][depth % 5];
        nested = mp4_box(kind, &nested);
    }
    let file = concat(&[ftyp(), nested]);
    let _ = probe_hostile(&file);

    // EBML: a Segment of Tracks of TrackEntries... nested 20,000 deep.
    let mut inner: Vec<u8> = vec![0xEC, 0x80];
    for _ in 0..20_000 {
        let mut element = vec![0xAE, 0x08];
        element.extend((inner.len() as u64).to_be_bytes());
        element.extend(&inner);
        inner = element;
    }
    let mut file = b"\x1a\x45\xdf\xa3\x84\x42\x82\x81w".to_vec();
    file.extend([0x18, 0x53, 0x80, 0x67, 0x01]);
    file.extend(((inner.len() + 9) as u64).to_be_bytes()[1..].iter());
    file.extend([0x16, 0x54, 0xAE, 0x6B, 0x01]);
    file.extend((inner.len() as u64).to_be_bytes()[1..].iter());
    file.extend(&inner);
    let _ = probe_hostile(&file);
}

#[test]
fn huge_declared_sample_counts_are_neither_walked_nor_allocated() {
    // A table that declares 2^32-1 entries but holds three.
    let stsz = full_box(b"stsz", 0, 0, &u32s(&[0, u32::MAX, 1, 2, 3]));
    let file = concat(&[ftyp(), moov(&[video_trak(&[stsz])])]);
    assert!(reason(probe_hostile(&file)).contains("declares 4294967295 entries"));

    // 2^32-1 constant-size samples in chunks of 2^32-1: the first chunk alone is past the end.
    let file = concat(&[ftyp(), moov(&[video_trak(&tables(u32::MAX, 1, u32::MAX, &[8; 256]))])]);
    assert!(reason(probe_hostile(&file)).starts_with("sample data past the end of the file"));

    // 2^40 samples over 256 fragment runs (2^32 each, default sizes 0): counted, not walked.
    let trex = full_box(b"trex", 0, 0, &u32s(&[1, 1, 1, 0, 0]));
    let movie = mp4_box(
        b"moov",
        &concat(&[mvhd(1000, 0), video_trak(&tables(0, 0, 1, &[])), mp4_box(b"mvex", &trex)]),
    );
    let tfhd = full_box(b"tfhd", 0, 0x2_0000, &u32s(&[1]));
    let truns: Vec<Vec<u8>> =
        (0..256).map(|_| full_box(b"trun", 0, 0, &u32s(&[u32::MAX]))).collect();
    let traf = mp4_box(b"traf", &concat(&[tfhd, truns.concat()]));
    let moof = mp4_box(b"moof", &concat(&[full_box(b"mfhd", 0, 0, &u32s(&[1])), traf]));
    let file = concat(&[ftyp(), movie, moof]);
    let facts = probe_hostile(&file).unwrap();
    assert_eq!(facts.duration_ms, Some(256 * u64::from(u32::MAX)));

    // A run whose per-sample table declares more samples than it holds.
    let movie = mp4_box(
        b"moov",
        &concat(&[
            mvhd(1000, 0),
            video_trak(&tables(0, 0, 1, &[])),
            mp4_box(b"mvex", &full_box(b"trex", 0, 0, &u32s(&[1, 1, 1, 0, 0]))),
        ]),
    );
    let tfhd = full_box(b"tfhd", 0, 0x2_0000, &u32s(&[1]));
    let trun = full_box(b"trun", 0, 0x300, &u32s(&[1 << 30, 1, 2]));
    let moof = mp4_box(b"moof", &mp4_box(b"traf", &concat(&[tfhd, trun])));
    let file = concat(&[ftyp(), movie, moof]);
    assert!(reason(probe_hostile(&file)).contains("declares 1073741824 samples"));
}

// A tiny EBML writer: every size as an 8-byte vint.

fn ebml(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.push(0x01);
    out.extend(&(body.len() as u64).to_be_bytes()[1..]);
    out.extend(body);
    out
}

fn ebml_header(doc_type: &str) -> Vec<u8> {
    ebml(&[0x1A, 0x45, 0xDF, 0xA3], &ebml(&[0x42, 0x82], doc_type.as_bytes()))
}

fn track_entry(kind: u8, codec: &str) -> Vec<u8> {
    let video =
        ebml(&[0xE0], &[ebml(&[0xB0], &[0x02, 0x00]), ebml(&[0xBA], &[0x01, 0x00])].concat());
    ebml(&[0xAE], &[ebml(&[0x83], &[kind]), ebml(&[0x86], codec.as_bytes()), video].concat())
}

fn info(duration_ms: f64) -> Vec<u8> {
    let scale = ebml(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]); // 1,000,000 ns
    ebml(
        &[0x15, 0x49, 0xA9, 0x66],
        &[scale, ebml(&[0x44, 0x89], &duration_ms.to_be_bytes())].concat(),
    )
}

fn tracks(entries: &[Vec<u8>]) -> Vec<u8> {
    ebml(&[0x16, 0x54, 0xAE, 0x6B], &entries.concat())
}

fn segment(children: &[Vec<u8>]) -> Vec<u8> {
    ebml(&[0x18, 0x53, 0x80, 0x67], &children.concat())
}

#[test]
fn hand_made_matroska_files_probe() {
    let webm = concat(&[
        ebml_header("webm"),
        segment(&[info(12_345.0), tracks(&[track_entry(2, "A_OPUS"), track_entry(1, "V_AV1")])]),
    ]);
    let facts = probe_hostile(&webm).unwrap();
    assert_eq!((facts.container, facts.kind), (Container::Webm, MediaKind::Video));
    assert_eq!(
        (facts.video_codec, facts.audio_codec.as_deref()),
        (Some(VideoCodec::Av1), Some("opus"))
    );
    assert_eq!(
        (facts.width, facts.height, facts.duration_ms),
        (Some(512), Some(256), Some(12_345))
    );

    let err = reason(probe_hostile(&concat(&[ebml_header("mka2"), segment(&[])])));
    assert_eq!(err, "unknown container (EBML DocType \"mka2\")");

    let subtitles_only =
        concat(&[ebml_header("matroska"), segment(&[tracks(&[track_entry(0x11, "S_TEXT/UTF8")])])]);
    assert!(reason(probe_hostile(&subtitles_only)).contains("no video track"));

    // A live recording: Segment and Cluster of unknown size, no Duration; the Tracks come after
    // the cluster and are found through the SeekHead.
    let tracks_element = tracks(&[track_entry(1, "V_VP8")]);
    let cluster = [vec![0x1F, 0x43, 0xB6, 0x75, 0xFF], vec![0xE7, 0x81, 0x00]].concat();
    let seek_head = |position: u64| {
        let id = ebml(&[0x53, 0xAB], &[0x16, 0x54, 0xAE, 0x6B]);
        let seek =
            ebml(&[0x4D, 0xBB], &[id, ebml(&[0x53, 0xAC], &position.to_be_bytes())].concat());
        ebml(&[0x11, 0x4D, 0x9B, 0x74], &seek)
    };
    // Positions count from the Segment's data: the SeekHead, then the cluster.
    let seek_head = seek_head((seek_head(0).len() + cluster.len()) as u64);
    let mut live = ebml_header("webm");
    live.extend([0x18, 0x53, 0x80, 0x67, 0xFF]);
    live.extend(seek_head);
    live.extend(cluster);
    live.extend(tracks_element);
    let facts = probe_hostile(&live).unwrap();
    assert_eq!((facts.video_codec, facts.duration_ms), (Some(VideoCodec::Vp8), None));
}

// ---------------------------------------------------------------------------------------------
// A 4 GB file is probed by seeking: a counting reader proves how little is read.

struct Counting<R> {
    inner: R,
    bytes: u64,
    reads: u64,
}

impl<R> Counting<R> {
    fn new(inner: R) -> Counting<R> {
        Counting { inner, bytes: 0, reads: 0 }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        self.reads += 1;
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn a_sparse_4_gb_file_with_the_moov_at_the_end_is_probed_by_seeking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.mp4");
    // 4.3 GB of (sparse, never written) media data: 1000 chunks of one 4.3 MB sample each,
    // the last one ending at the mdat's end.
    let chunk: u64 = 4_300_000;
    let mdat_len = 16 + 1000 * chunk;
    let head = ftyp();
    let mdat_start = head.len() as u64;
    let data_start = mdat_start + 16;
    let offsets: Vec<u64> = (0..1000).map(|i| data_start + i * chunk).collect();
    let stbl_tables = vec![
        full_box(b"stts", 0, 0, &u32s(&[1, 1000, 60])),
        full_box(b"stsz", 0, 0, &u32s(&[chunk as u32, 1000])),
        full_box(b"stsc", 0, 0, &u32s(&[1, 1, 1, 1])),
        full_box(
            b"co64",
            0,
            0,
            &[u32s(&[1000]), offsets.iter().flat_map(|o| o.to_be_bytes()).collect()].concat(),
        ),
    ];
    let mut movie_body = mvhd(1000, 60_000);
    movie_body.extend(video_trak(&stbl_tables));
    let movie = mp4_box(b"moov", &movie_body);

    let mut file = File::create(&path).unwrap();
    file.write_all(&head).unwrap();
    file.write_all(&u32s(&[1])).unwrap();
    file.write_all(b"mdat").unwrap();
    file.write_all(&mdat_len.to_be_bytes()).unwrap();
    file.seek(SeekFrom::Start(mdat_start + mdat_len)).unwrap();
    file.write_all(&movie).unwrap();
    drop(file);
    let size = fs::metadata(&path).unwrap().len();
    assert!(size > 4 << 30);

    let mut counted = Counting::new(File::open(&path).unwrap());
    let facts = probe(&mut counted, size).unwrap();
    assert_eq!(facts.kind, MediaKind::Video);
    assert_eq!(facts.duration_ms, Some(60_000));
    assert_eq!(facts.size, size);
    assert!(counted.bytes < 64 * 1024, "read {} bytes of a 4 GB file", counted.bytes);
    assert!(counted.reads < 20, "{} reads", counted.reads);

    // The same movie with its moov first (faststart), cut one byte short of its mdat's end.
    let moov_len = movie.len() as u64;
    let shifted: Vec<u64> = offsets.iter().map(|o| o + moov_len).collect();
    let mut stbl_tables = stbl_tables;
    stbl_tables[3] = full_box(
        b"co64",
        0,
        0,
        &[u32s(&[1000]), shifted.iter().flat_map(|o| o.to_be_bytes()).collect()].concat(),
    );
    let mut movie_body = mvhd(1000, 60_000);
    movie_body.extend(video_trak(&stbl_tables));
    let movie = mp4_box(b"moov", &movie_body);
    assert_eq!(movie.len() as u64, moov_len);
    let path = dir.path().join("cut.mp4");
    let mut file = File::create(&path).unwrap();
    file.write_all(&head).unwrap();
    file.write_all(&movie).unwrap();
    file.write_all(&u32s(&[1])).unwrap();
    file.write_all(b"mdat").unwrap();
    file.write_all(&mdat_len.to_be_bytes()).unwrap();
    file.set_len(mdat_start + moov_len + mdat_len - 1).unwrap();
    drop(file);
    let size = fs::metadata(&path).unwrap().len();
    let mut counted = Counting::new(File::open(&path).unwrap());
    let err = probe(&mut counted, size).unwrap_err();
    assert!(err.to_string().starts_with("sample data past the end of the file"), "{err}");
    assert!(counted.bytes < 64 * 1024, "read {} bytes of a 4 GB file", counted.bytes);
}
