//! Output: plain or coloured lines for people, one JSON document for scripts, and progress bars
//! and spinners that appear only when stderr is a terminal.
//!
//! - Results go to stdout, progress and errors to stderr.
//! - Colour only on a terminal, and never when `NO_COLOR` is set (to anything non-empty).
//! - With `--json`, stdout carries exactly one JSON document; stderr carries nothing but the
//!   progress bars (and only on a terminal).

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

/// How this run prints.
#[derive(Debug, Clone)]
pub struct Ui {
    /// `--json`: one document on stdout, no prose.
    pub json: bool,
    /// Colours for stdout.
    pub out: Paint,
    /// Colours for stderr.
    pub err: Paint,
    /// Whether stderr is a terminal (progress bars and spinners are drawn only then).
    pub live: bool,
}

impl Ui {
    pub fn new(json: bool) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        Ui {
            json,
            out: Paint { on: stdout_tty && !no_color },
            err: Paint { on: stderr_tty && !no_color },
            live: stderr_tty,
        }
    }

    /// Prints the one JSON document of a `--json` run.
    pub fn print_json(&self, value: &Value) {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
    }

    /// A line of the result, for people (nothing with `--json`).
    pub fn say(&self, line: impl Display) {
        if !self.json {
            println!("{line}");
        }
    }

    /// A line of progress on stderr, for people (nothing with `--json`).
    pub fn note(&self, line: impl Display) {
        if !self.json {
            eprintln!("{line}");
        }
    }

    /// A warning on stderr, in yellow on a colour terminal (nothing with `--json`, whose
    /// document carries it).
    pub fn warn(&self, line: impl Display) {
        if !self.json {
            eprintln!("{}", self.err.yellow(format!("warning: {line}")));
        }
    }

    /// A byte progress bar on stderr; hidden when stderr is not a terminal.
    pub fn bytes_bar(&self, total: u64, label: &str) -> ProgressBar {
        if !self.live {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template = if self.err.on {
            "  {msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
        } else {
            "  {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_owned());
        bar
    }

    /// A counting progress bar on stderr; hidden when stderr is not a terminal.
    pub fn count_bar(&self, total: u64, label: &str) -> ProgressBar {
        if !self.live {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let template = if self.err.on {
            "  {msg} [{bar:30.cyan/blue}] {pos}/{len}"
        } else {
            "  {msg} [{bar:30}] {pos}/{len}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label.to_owned());
        bar
    }

    /// A spinner on stderr ticking on its own; hidden when stderr is not a terminal.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        if !self.live {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let template = if self.err.on {
            "  {spinner:.cyan} {msg} {elapsed:.dim}"
        } else {
            "  {spinner} {msg} {elapsed}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            spinner.set_style(style);
        }
        spinner.set_message(message.into());
        spinner.enable_steady_tick(Duration::from_millis(80));
        spinner
    }
}

/// ANSI styling that is a no-op when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    pub on: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: impl Display) -> String {
        if self.on {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: impl Display) -> String {
        self.paint(Style::new().bold(), text)
    }

    pub fn dim(&self, text: impl Display) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    pub fn green(&self, text: impl Display) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), text)
    }

    pub fn red(&self, text: impl Display) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), text)
    }

    pub fn yellow(&self, text: impl Display) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())), text)
    }

    pub fn cyan(&self, text: impl Display) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())), text)
    }
}

/// `1.5 s`, `850 ms`, `3 min 20 s`, `5 h 12 min`.
pub fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        let secs = d.as_secs();
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        match (h, m, s) {
            (0, m, 0) => format!("{m} min"),
            (0, m, s) => format!("{m} min {s} s"),
            (h, 0, _) => format!("{h} h"),
            (h, m, _) => format!("{h} h {m} min"),
        }
    }
}

/// A media duration in milliseconds: `14.9 s`, `1 min 0.1 s`.
pub fn media_duration(ms: u64) -> String {
    if ms < 60_000 {
        let text = format!("{:.1}", ms as f64 / 1000.0);
        format!("{} s", text.trim_end_matches(".0"))
    } else {
        let (m, rest) = (ms / 60_000, ms % 60_000);
        if rest == 0 {
            format!("{m} min")
        } else {
            let text = format!("{:.1}", rest as f64 / 1000.0);
            format!("{m} min {} s", text.trim_end_matches(".0"))
        }
    }
}

/// `31.5 KB`, `4.2 MB` (decimal units, as the platforms publish their limits).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Duration::from_millis(850)), "850 ms");
        assert_eq!(duration(Duration::from_millis(1_540)), "1.5 s");
        assert_eq!(duration(Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(duration(Duration::from_secs(5 * 3600 + 12 * 60 + 7)), "5 h 12 min");
        assert_eq!(media_duration(14_900), "14.9 s");
        assert_eq!(media_duration(15_000), "15 s");
        assert_eq!(media_duration(60_100), "1 min 0.1 s");
        assert_eq!(media_duration(600_000), "10 min");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(31_497), "31.5 KB");
    }

    #[test]
    fn paint_is_plain_when_off() {
        let paint = Paint { on: false };
        assert_eq!(paint.red("x"), "x");
        assert!(Paint { on: true }.red("x").contains('\u{1b}'));
    }
}
