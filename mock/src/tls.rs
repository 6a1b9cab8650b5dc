//! HTTPS for the emulator: a certificate authority and a server certificate for 127.0.0.1 and
//! localhost made at start-up (or a certificate and key given as files), and optionally client
//! certificates required (mutual TLS).
//!
//! A generated CA signs two certificates: the server's, and a client certificate for mutual-TLS
//! tests. All three are written as PEM files into `<data dir>/tls/` (`ca.pem`, `client.pem`,
//! `client-key.pem`), so a client in any language can be pointed at them; the CA's key stays in
//! memory and is gone when the emulator stops.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// How an emulator serves HTTPS ([`crate::MockConfig::tls`]).
#[derive(Debug, Clone, Default)]
pub struct TlsConfig {
    /// The server's certificate: generated (default) or read from files.
    pub identity: TlsIdentity,
    /// Whether clients must present a certificate, and signed by which CA.
    pub client_auth: ClientAuth,
}

/// The server's certificate.
#[derive(Debug, Clone, Default)]
pub enum TlsIdentity {
    /// A fresh CA and a server certificate for `127.0.0.1`, `::1` and `localhost`, signed by
    /// it; the CA's PEM is [`TlsFiles::ca_file`].
    #[default]
    Generate,
    /// A PEM certificate chain and its PEM private key (`--tls-cert`, `--tls-key`).
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The private key of the leaf certificate.
        key: PathBuf,
    },
}

/// Client certificates.
#[derive(Debug, Clone, Default)]
pub enum ClientAuth {
    /// Not asked for.
    #[default]
    None,
    /// Required, signed by the generated CA (needs [`TlsIdentity::Generate`]); the emulator's
    /// own client certificate ([`TlsFiles::client_cert_file`]) is accepted.
    GeneratedCa,
    /// Required, signed by a CA in this PEM file (`--tls-client-ca`).
    CaFile(PathBuf),
}

/// The PEM files a TLS emulator wrote (all `None` for plain HTTP or given certificates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// The generated CA's certificate: what a client trusts (`caBundle`).
    pub ca_file: Option<PathBuf>,
    /// A client certificate signed by the generated CA (`clientCert`).
    pub client_cert_file: Option<PathBuf>,
    /// Its private key (`clientKey`).
    pub client_key_file: Option<PathBuf>,
}

impl TlsConfig {
    /// The set-up the command-line flags ask for (`aether-mock`, `aether mock`): `--tls`,
    /// `--tls-cert FILE --tls-key FILE`, `--tls-client-ca FILE`, `--tls-client-auth`. `None`:
    /// plain HTTP.
    pub fn from_flags(
        tls: bool,
        cert_and_key: Option<(PathBuf, PathBuf)>,
        client_ca: Option<PathBuf>,
        client_auth: bool,
    ) -> Option<TlsConfig> {
        let identity = match cert_and_key {
            Some((cert, key)) => TlsIdentity::Files { cert, key },
            None if tls || client_ca.is_some() || client_auth => TlsIdentity::Generate,
            None => return None,
        };
        let client_auth = match (client_ca, client_auth) {
            (Some(ca), _) => ClientAuth::CaFile(ca),
            (None, true) => ClientAuth::GeneratedCa,
            (None, false) => ClientAuth::None,
        };
        Some(TlsConfig { identity, client_auth })
    }
}

impl TlsFiles {
    /// Adds `caFile`, `clientCertFile` and `clientKeyFile` (those there are) to a ready line.
    pub fn add_to(&self, line: &mut serde_json::Value) {
        for (key, path) in [
            ("caFile", &self.ca_file),
            ("clientCertFile", &self.client_cert_file),
            ("clientKeyFile", &self.client_key_file),
        ] {
            if let Some(path) = path {
                line[key] = serde_json::Value::from(path.display().to_string());
            }
        }
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

fn tls_error(what: &str) -> impl FnOnce(rcgen::Error) -> io::Error + '_ {
    move |e| io::Error::other(format!("{what}: {e}"))
}

/// The rustls server configuration for `config`, and the files written into `dir`.
pub(crate) fn server_config(
    config: &TlsConfig,
    dir: &Path,
) -> io::Result<(ServerConfig, TlsFiles)> {
    let mut files = TlsFiles::default();
    let mut generated_ca: Option<CertificateDer<'static>> = None;
    let (chain, key) = match &config.identity {
        TlsIdentity::Files { cert, key } => (read_certs(cert)?, read_key(key)?),
        TlsIdentity::Generate => {
            let generated = generate(dir)?;
            files = generated.files;
            generated_ca = Some(generated.ca);
            (vec![generated.server], generated.server_key)
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(format!("TLS set-up: {e}")))?;
    let client_roots = match &config.client_auth {
        ClientAuth::None => None,
        ClientAuth::GeneratedCa => {
            Some(generated_ca.clone().map(|ca| vec![ca]).ok_or_else(|| {
                invalid("client certificates signed by the generated CA need a generated CA".into())
            })?)
        }
        ClientAuth::CaFile(path) => Some(read_certs(path)?),
    };
    let builder = match client_roots {
        None => builder.with_no_client_auth(),
        Some(certs) => {
            let mut roots = RootCertStore::empty();
            for cert in certs {
                roots.add(cert).map_err(|e| invalid(format!("client CA: {e}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| invalid(format!("client CA: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut server = builder
        .with_single_cert(chain, key)
        .map_err(|e| invalid(format!("the TLS certificate and key do not fit together: {e}")))?;
    // The server speaks HTTP/1.1 only.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((server, files))
}

fn read_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            invalid(format!("{}: not a readable PEM certificate file: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(invalid(format!("{}: no certificate in the file", path.display())));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|e| invalid(format!("{}: not a readable PEM private key: {e}", path.display())))
}

struct Generated {
    ca: CertificateDer<'static>,
    server: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
    files: TlsFiles,
}

/// A CA, a server certificate and a client certificate, the PEM files written into `dir/tls`.
fn generate(dir: &Path) -> io::Result<Generated> {
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("aether-mock test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(tls_error("CA key"))?;
    let ca = ca_params.self_signed(&ca_key).map_err(tls_error("CA certificate"))?;

    let mut server_params = CertificateParams::default();
    server_params.distinguished_name = name("aether-mock");
    server_params.subject_alt_names = vec![
        SanType::IpAddress([127, 0, 0, 1].into()),
        SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
        SanType::DnsName("localhost".try_into().map_err(tls_error("server name"))?),
    ];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().map_err(tls_error("server key"))?;
    let server = server_params
        .signed_by(&server_key, &ca, &ca_key)
        .map_err(tls_error("server certificate"))?;

    let mut client_params = CertificateParams::default();
    client_params.distinguished_name = name("aether-mock test client");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_key = KeyPair::generate().map_err(tls_error("client key"))?;
    let client = client_params
        .signed_by(&client_key, &ca, &ca_key)
        .map_err(tls_error("client certificate"))?;

    let tls_dir = dir.join("tls");
    std::fs::create_dir_all(&tls_dir)?;
    let files = TlsFiles {
        ca_file: Some(write(&tls_dir, "ca.pem", &ca.pem())?),
        client_cert_file: Some(write(&tls_dir, "client.pem", &client.pem())?),
        client_key_file: Some(write(&tls_dir, "client-key.pem", &client_key.serialize_pem())?),
    };
    Ok(Generated {
        ca: ca.der().clone(),
        server: server.der().clone(),
        server_key: PrivateKeyDer::try_from(server_key.serialize_der())
            .map_err(|e| io::Error::other(format!("server key: {e}")))?,
        files,
    })
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

fn write(dir: &Path, file: &str, pem: &str) -> io::Result<PathBuf> {
    let path = dir.join(file);
    std::fs::write(&path, pem)?;
    Ok(path)
}
