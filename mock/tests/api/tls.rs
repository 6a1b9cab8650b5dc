//! The emulator serving a certificate given as files (`TlsIdentity::Files`, `--tls-cert`,
//! `--tls-key`), and what the SDK says when that certificate is for another host name.

use aether::{Client, ErrorCode};
use aether_mock::{MockConfig, MockServer, TlsConfig, TlsIdentity};

/// A self-signed certificate for `names`, written as cert.pem and key.pem into `dir`.
fn self_signed(dir: &std::path::Path, names: &[&str]) -> (std::path::PathBuf, std::path::PathBuf) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let certified = rcgen::generate_simple_self_signed(names).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert, key)
}

async fn serve(cert: std::path::PathBuf, key: std::path::PathBuf) -> MockServer {
    let tls = TlsConfig { identity: TlsIdentity::Files { cert, key }, ..TlsConfig::default() };
    MockServer::start(MockConfig { tls: Some(tls), ..MockConfig::default() }).await.unwrap()
}

fn client(server: &MockServer, ca: &std::path::Path) -> Client {
    Client::builder()
        .api_key(server.api_key())
        .base_url(server.url())
        .ca_bundle(ca.display().to_string())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_given_certificate_is_served_and_trusted_through_ca_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path(), &["127.0.0.1", "localhost"]);
    let server = serve(cert.clone(), key).await;
    assert!(server.tls_files().ca_file.is_none(), "nothing generated");
    let error = client(&server, &cert).profiles().get("prof_nope").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound, "the server answered: {error}");
}

#[tokio::test]
async fn a_certificate_for_another_host_is_tls_error_naming_the_host_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path(), &["api.example.test"]);
    let server = serve(cert.clone(), key).await;
    let error = client(&server, &cert).profiles().get("prof_nope").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    assert!(error.to_string().contains("not valid for this host name"), "{error}");
}

#[tokio::test]
async fn a_key_that_does_not_fit_the_certificate_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = self_signed(dir.path(), &["localhost"]);
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (_, wrong_key) = self_signed(&other, &["localhost"]);
    let tls =
        TlsConfig { identity: TlsIdentity::Files { cert, key: wrong_key }, ..TlsConfig::default() };
    let error = MockServer::start(MockConfig { tls: Some(tls), ..MockConfig::default() })
        .await
        .unwrap_err();
    assert!(error.to_string().contains("do not fit"), "{error}");
}
