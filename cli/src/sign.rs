//! `tcfaceid sign`: the signed headers of one request, for callers with their own HTTP tool.

use std::io::{Read as _, Write as _};

use tcfaceid::client::{CredentialSource, REQUEST_CLIENT};
use tcfaceid::endpoint::Endpoint;
use tcfaceid::sign::{self, CallContext, Method, Payload, Signer, SigningInput};
use tcfaceid::{credential, Credential, Error, ResultCode};

use crate::args::{Global, SignArgs, SignFormat};
use crate::exit;
use crate::flow;
use crate::record::Record;

/// Run `tcfaceid sign`; returns the exit code.
pub fn run(global: &Global, args: &SignArgs) -> i32 {
    let body = match read_body(args.body.as_deref()) {
        Ok(body) => body,
        Err(error) => {
            eprintln!("tcfaceid: body: {error}");
            return exit::IO;
        }
    };
    match headers(global, args, &body) {
        Ok(headers) => {
            let text = match args.format {
                SignFormat::Headers => headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {value}\n"))
                    .collect::<String>(),
                SignFormat::Json => {
                    let object: serde_json::Map<_, _> = headers
                        .into_iter()
                        .map(|(name, value)| (name.to_owned(), value.into()))
                        .collect();
                    format!("{}\n", serde_json::Value::Object(object))
                }
            };
            match std::io::stdout().write_all(text.as_bytes()) {
                Ok(()) => exit::OK,
                Err(_) => exit::IO,
            }
        }
        Err(error) => {
            eprintln!("tcfaceid: {error}");
            Record::error(&error, None).exit_code()
        }
    }
}

fn read_body(spec: Option<&str>) -> std::io::Result<Vec<u8>> {
    match spec {
        None => Ok(b"{}".to_vec()),
        Some("-") => {
            let mut body = Vec::new();
            std::io::stdin().read_to_end(&mut body)?;
            Ok(body)
        }
        Some(path) => std::fs::read(path),
    }
}

fn headers(
    global: &Global,
    args: &SignArgs,
    body: &[u8],
) -> Result<Vec<(&'static str, String)>, Error> {
    if args.action.is_empty() || !args.action.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::new(
            ResultCode::InvalidArgument,
            format!("action {:?} is not an action name", args.action),
        ));
    }
    let credential = match flow::credential_source(global) {
        CredentialSource::Profile(name) => Credential::from_profile(name.as_deref())?,
        _ => Credential::from_default_chain()?,
    };
    let product = flow::product(global);
    let endpoint = Endpoint::parse(
        global
            .endpoint
            .as_deref()
            .unwrap_or(product.default_endpoint()),
    )?;
    let region = global
        .region
        .clone()
        .or_else(credential::region_from_env)
        .unwrap_or_default();
    let timestamp = args.timestamp.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    let input = SigningInput {
        method: Method::Post,
        host: endpoint.host(),
        query: "",
        content_type: sign::CONTENT_TYPE_JSON,
        payload: Payload::Body(body),
        service: product.service(),
        timestamp,
        extra_signed_headers: &[],
    };
    let call = CallContext {
        action: &args.action,
        version: product.version(),
        region: &region,
        language: "",
        request_client: REQUEST_CLIENT,
    };
    Signer::new(credential).request_headers(&input, &call)
}
