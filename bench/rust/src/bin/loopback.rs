//! The physical limit of an upload on this machine: the bytes of FILE copied over a loopback
//! TCP socket to a sink (a thread of this process) that reads and discards them. No HTTP, no
//! checksums, no disk writes: what any client of a server on 127.0.0.1 could at best reach.
//! Prints one JSON line. Usage: loopback FILE

use aether_bench::{discarding_sink, peak_rss_mib};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, file] = args.as_slice() else {
        return Err("usage: loopback FILE".into());
    };
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let sink = discarding_sink(listener);
    let started = Instant::now();
    let mut stream = TcpStream::connect(address)?;
    let mut source = std::fs::File::open(file)?;
    // The same way a client reads a file to send it: read, write, in 1 MiB blocks.
    let mut buffer = vec![0u8; 1 << 20];
    let mut sent = 0u64;
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        stream.write_all(&buffer[..n])?;
        sent += n as u64;
    }
    stream.shutdown(std::net::Shutdown::Write)?;
    let received = sink.join().map_err(|_| "the sink thread panicked")??;
    let seconds = started.elapsed().as_secs_f64();
    if received != sent {
        return Err(format!("sent {sent} bytes, the sink got {received}").into());
    }
    println!(
        "{{\"tool\": \"loopback\", \"op\": \"upload\", \"seconds\": {seconds:.3}, \"mibPerSec\": {:.1}, \"peakRssMiB\": {}}}",
        sent as f64 / 1048576.0 / seconds,
        peak_rss_mib()
    );
    Ok(())
}
