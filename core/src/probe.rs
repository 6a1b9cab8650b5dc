//! Media facts read from a file's own bytes, without ffmpeg.
