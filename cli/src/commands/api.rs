//! `aether api METHOD PATH`: any endpoint through the core's escape hatch
//! (`Client::request_with_response`), printing the response's JSON.

use std::io::Read;

use aether::RequestOptions;
use serde_json::{json, Map, Value};

use super::{interruptible, Ctx};
use crate::cli::ApiArgs;
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: ApiArgs) -> Result<(), CliError> {
    let body = args.data.as_deref().map(body).transpose()?;
    let query = args
        .query
        .iter()
        .map(|pair| split(pair, '=', "--query", "NAME=VALUE"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = RequestOptions::new();
    for header in &args.header {
        let (name, value) = split(header, ':', "--header", "NAME:VALUE")?;
        options = options.header(name, value.trim_start());
    }
    if let Some(key) = args.idempotency_key {
        options = options.idempotency_key(key);
    }
    let client = ctx.client()?;
    let response = interruptible(
        ctx,
        client.request_with_response(&args.method, &args.path, body.as_ref(), &query, &options),
    )
    .await?;
    if args.include && ctx.ui.json {
        let mut headers = Map::new();
        for (name, value) in &response.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers.insert(name.as_str().to_owned(), Value::String(value));
        }
        ctx.ui.print_json(&json!({
            "status": response.status,
            "headers": headers,
            "requestId": response.request_id,
            "data": response.data,
        }));
        return Ok(());
    }
    if args.include {
        println!("HTTP {}", response.status);
        for (name, value) in &response.headers {
            println!("{}: {}", name, String::from_utf8_lossy(value.as_bytes()));
        }
        println!();
    }
    ctx.ui.print_json(&response.data);
    Ok(())
}

/// `--data`: JSON text, or `@FILE` / `@-` (stdin) holding it.
fn body(data: &str) -> Result<Value, CliError> {
    let text = match data.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("--data @-: could not read stdin: {e}")))?;
            text
        }
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::usage(format!("--data @{path}: could not read it: {e}")))?,
        None => data.to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("--data is not valid JSON: {e}")))
}

fn split(pair: &str, sep: char, flag: &str, form: &str) -> Result<(String, String), CliError> {
    match pair.split_once(sep) {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(CliError::usage(format!("{flag} {pair:?} is not {form}"))),
    }
}
