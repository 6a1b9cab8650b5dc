//! What the benchmark drivers share.

/// This process's peak resident set (VmHWM) in MiB; 0 where /proc is not there.
pub fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        })
        .map_or(0, |kb| kb / 1024)
}

/// CPU-seconds (user + system) this process has used so far, every thread included
/// (`getrusage(RUSAGE_SELF)`, microsecond resolution): the drivers report the difference
/// around the measured operation, so start-up and client construction are not counted.
pub fn cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_SELF)
}

/// CPU-seconds (user + system) the calling thread has used so far (`RUSAGE_THREAD`).
#[cfg(target_os = "linux")]
pub fn thread_cpu_seconds() -> f64 {
    rusage_seconds(libc::RUSAGE_THREAD)
}

fn rusage_seconds(who: libc::c_int) -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given, which is valid
    // and large enough; it cannot fail for RUSAGE_SELF or RUSAGE_THREAD.
    let usage = unsafe {
        libc::getrusage(who, usage.as_mut_ptr());
        usage.assume_init()
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A thread that accepts one connection on `listener`, reads and discards everything until
/// the peer shuts down its side, and returns how many bytes it read: the far end of the
/// loopback measurements (`loopback`, `part_shapes`).
pub fn discarding_sink(
    listener: std::net::TcpListener,
) -> std::thread::JoinHandle<std::io::Result<u64>> {
    use std::io::Read;
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept()?;
        let mut buffer = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            match stream.read(&mut buffer)? {
                0 => return Ok(total),
                n => total += n as u64,
            }
        }
    })
}

/// What the posts drivers (`concurrent`, `wait_latency`) are given on their command line,
/// `URL API_KEY PROFILE_IDS COUNT [PLATFORM]`, and the client they build from it.
#[derive(Debug)]
pub struct PostsBench {
    /// A client of the emulator at URL with API_KEY.
    pub client: aether::Client,
    /// How many posts to create.
    pub count: usize,
    profiles: Vec<String>,
    platforms: aether::model::PlatformOptionsMap,
}

impl PostsBench {
    /// Reads the arguments (`usage` is printed when they are wrong); PLATFORM defaults to
    /// linkedin. PROFILE_IDS is one profile id or several separated by commas: the emulator's
    /// daily quota is per profile, so posts go to them in turn.
    pub fn from_args(
        usage: &str,
        request_timeout: std::time::Duration,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let args: Vec<String> = std::env::args().collect();
        let [_, url, key, profiles, count, rest @ ..] = args.as_slice() else {
            return Err(format!("usage: {usage}").into());
        };
        let platform = rest.first().map_or("linkedin", String::as_str);
        let client = aether::Client::builder()
            .api_key(key.as_str())
            .base_url(url.as_str())
            .request_timeout(request_timeout)
            .build()?;
        let platforms =
            aether::model::PlatformOptionsMap::from_json_str(&format!("{{\"{platform}\": {{}}}}"))?;
        Ok(Self {
            client,
            count: count.parse()?,
            profiles: profiles.split(',').map(str::to_owned).collect(),
            platforms,
        })
    }

    /// The `i`th post: the next profile in turn, with `text`.
    pub fn request(&self, i: usize, text: String) -> aether::model::CreatePostRequest {
        aether::model::CreatePostRequest {
            profile_id: Some(self.profiles[i % self.profiles.len()].clone()),
            content: Some(aether::model::PostContent::new(text)),
            platforms: self.platforms.clone(),
            ..aether::model::CreatePostRequest::default()
        }
    }
}
